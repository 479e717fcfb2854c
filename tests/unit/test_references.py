"""forms/references.yaml: every citation a form item may use, with its source in the
documents of shared/seeds; `forms check` refuses a citation that is not listed."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
import yaml

from inspector_app.cli.main import run
from inspector_app.domain.forms import (
    FormError,
    FormRegistry,
    SourceDocument,
    check_forms,
    citation_parts,
    default_forms_dir,
    load_references,
)
from tests.unit.test_forms import make_dir, sample_text

FORMS_DIR = default_forms_dir()
SEEDS_DIR = Path(__file__).resolve().parents[3] / "shared" / "seeds"

# Citations of documents the seeds do not hold (issue 12), and the wrong kind of a policy.
INVENTED = ("Directive 16001.2", "10074.2", "Language Access Plan", "rules of behavior",
            "Directive 11152.01", "Directive 13001.1")  # fmt: skip


def _form_citations() -> list[tuple[str, str, str]]:
    """(form file, item key, citation) of every item of every shipped form."""
    out = []
    for path in sorted(FORMS_DIR.glob("*.v*.yaml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        for section in data["sections"]:
            for item in section["items"]:
                out.append((path.name, item["key"], item["citation"]))
    return out


def test_every_citation_in_the_forms_resolves_in_references_yaml():
    references = load_references(FORMS_DIR)
    citations = _form_citations()
    assert len(citations) > 100
    unresolved = [(name, key, part) for name, key, citation in citations
                  for part in citation_parts(citation) if part not in references]  # fmt: skip
    assert unresolved == []


def test_no_form_cites_a_document_the_sources_do_not_have():
    cited = [(name, key, c) for name, key, c in _form_citations()
             if any(bad in c for bad in INVENTED)]  # fmt: skip
    assert cited == []
    references = (FORMS_DIR / "references.yaml").read_text(encoding="utf-8")
    listed = [c for c in load_references(FORMS_DIR) if any(bad in c for bad in INVENTED)]
    assert listed == [] and "16001" not in references and "10074" not in references
    policies = {c.split(",")[0] for c in load_references(FORMS_DIR)}
    assert {"ERO Policy 11152.01", "ICE Policy 13001.1", "ERO TPU 13004.2"} <= policies


def test_every_reference_names_its_source():
    for citation, reference in load_references(FORMS_DIR).items():
        assert reference.document in set(SourceDocument), citation
        assert reference.where.strip() and reference.quote.strip(), citation


def _normal(text: str) -> str:
    text = text.replace("\u2019", "'").replace("\u2018", "'")
    text = text.replace("\u201c", '"').replace("\u201d", '"')
    return re.sub(r"\s+", " ", text)


def _seed_texts() -> dict[SourceDocument, str]:
    """The seeds by document: the GAO report, GAO's recommendation status page, the OIG
    report (the two news articles are no source)."""
    found: dict[SourceDocument, str] = {}
    for path in sorted(SEEDS_DIR.glob("*.txt")):
        text = path.read_text(encoding="utf-8")
        if "DHS OIG HIGHLIGHTS" in text and "OIG-18-77" in text:
            found[SourceDocument.OIG_18_77] = _normal(text)
        elif text.startswith("Immigration Enforcement: ICE Can Further") and "Fast Facts" in text:
            found[SourceDocument.GAO_21_186_STATUS] = _normal(text)
        elif "GAO-21-186" in text and "Letter" in text[:300]:
            found[SourceDocument.GAO_21_186] = _normal(text)
    return found


@pytest.mark.skipif(not SEEDS_DIR.is_dir(), reason="shared/seeds is not beside the checkout")
def test_every_quote_is_in_its_source_document():
    seeds = _seed_texts()
    assert set(seeds) == set(SourceDocument)
    missing = [(c, r.document.value, r.quote) for c, r in load_references(FORMS_DIR).items()
               if _normal(r.quote) not in seeds[r.document]]  # fmt: skip
    assert missing == []


# --- the checker ---------------------------------------------------------------------


def test_a_citation_not_in_references_fails_the_check_naming_file_item_and_citation(tmp_path):
    directory = make_dir(
        tmp_path, {"sample.v1.yaml": sample_text({23: "        citation: ICE Directive 16001.2"})}
    )
    file = directory / "sample.v1.yaml"
    problems = [str(p) for p in check_forms(directory)]
    assert problems == [
        f"{file}:23: facility.visits: citation: 'ICE Directive 16001.2' is not in "
        "references.yaml; expected citations listed there with their source "
        "(several separated by '; ')"
    ]
    with pytest.raises(FormError):
        FormRegistry.load(directory)


def test_each_part_of_a_joined_citation_must_be_listed(tmp_path):
    joined = "        citation: 287(g) JEM MOA, Steering committee; DHS Language Access Plan"
    directory = make_dir(tmp_path, {"sample.v1.yaml": sample_text({15: joined})})
    problems = [str(p) for p in check_forms(directory)]
    assert len(problems) == 1
    assert ":15: facility.poster: citation: 'DHS Language Access Plan' is not in" in problems[0]
    ok = "        citation: 287(g) JEM MOA, Steering committee; 287(g) Steering Committee Charter"
    assert check_forms(make_dir(tmp_path / "ok", {"sample.v1.yaml": sample_text({15: ok})})) == []


def test_forms_check_cli_exits_2_with_one_line_on_an_unlisted_citation(tmp_path, capsys):
    forms = tmp_path / "forms"
    shutil.copytree(FORMS_DIR, forms)
    path = forms / "wso_review.v1.yaml"
    text = path.read_text(encoding="utf-8")
    assert text.count("        citation: 287(g) WSO MOA\n") == 1
    path.write_text(
        text.replace("        citation: 287(g) WSO MOA\n",
                     "        citation: ICE rules of behavior for IT systems\n"),
        encoding="utf-8",
    )  # fmt: skip
    assert run(["forms", "check", str(forms)]) == 2
    err = capsys.readouterr().err.splitlines()
    assert len(err) == 1, err
    assert err[0].startswith(f"{path}:")
    assert "request_form.moa_current" in err[0]
    assert "'ICE rules of behavior for IT systems' is not in references.yaml" in err[0]


def test_missing_references_file(tmp_path):
    directory = make_dir(tmp_path, {"sample.v1.yaml": sample_text()}, references=False)
    problems = check_forms(directory)
    assert [str(p) for p in problems] == [
        f"{directory / 'references.yaml'}:1: (file): references file is missing; expected "
        "references.yaml listing every citation a form item may use, with its source"
    ]


def test_references_file_problems(tmp_path):
    directory = make_dir(tmp_path, {"sample.v1.yaml": sample_text()}, references=False)
    entry = ("  - citation: {c}\n    document: {d}\n    where: Table 2\n"
             "    quote: failed to provide ICE with 287(g) statistical data\n")  # fmt: skip
    (directory / "references.yaml").write_text(
        "references:\n"
        + entry.format(c="287(g) JEM MOA, Complaint procedures (complaint poster)", d="GAO-21-186")
        + entry.format(c="287(g) JEM MOA, Complaint procedures (complaint poster)", d="GAO-21-186")
        + entry.format(c="Some memo", d="A news article")
        + entry.format(c="A; B", d="OIG-18-77"),
        encoding="utf-8",
    )
    file = directory / "references.yaml"
    problems = [str(p) for p in check_forms(directory)]
    assert (
        f"{file}:6: 287(g) JEM MOA, Complaint procedures (complaint poster): citation "
        "listed twice (first at line 2); expected each citation once" in problems
    )
    assert any(p.startswith(f"{file}:11: Some memo: document: 'A news article' is not allowed")
               and "'GAO-21-186'" in p for p in problems), problems  # fmt: skip
    assert any(p.startswith(f"{file}:14: A; B: citation: a reference is one citation")
               for p in problems), problems  # fmt: skip
    with pytest.raises(FormError):
        load_references(directory)
    # Without a valid references file the forms are still checked, without citation checks.
    assert all(p.startswith(str(file)) for p in problems)
