"""The sync service under pyinstrument, for `bench/sync.py --profile`.

    python bench/sync_profile_server.py --db URL --port P --out PROFILE.txt

The real app (inspector_app.server.app.create_app) served by uvicorn, with one change:
FastAPI's and Starlette's thread pool is bypassed (sync endpoints, dependencies and
response validation run on the event loop's thread), so pyinstrument, which samples
one thread, sees a request's whole path: body parsing and validation, the endpoint,
the answer's serialization. The bench sends one request at a time, so nothing else
changes. On SIGINT/SIGTERM uvicorn stops and the profile is written to --out (text,
and PROFILE.txt.html).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


async def _inline(func: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    return func(*args, **kwargs)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", required=True)
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args()

    import fastapi.dependencies.utils
    import fastapi.routing
    import uvicorn
    from pyinstrument import Profiler

    fastapi.routing.run_in_threadpool = _inline  # type: ignore[assignment]
    fastapi.dependencies.utils.run_in_threadpool = _inline  # type: ignore[assignment]
    import inspector_app.server.app as server_app

    server_app.run_in_threadpool = _inline  # type: ignore[assignment]
    app = server_app.create_app(args.db)
    profiler = Profiler(interval=0.0005)
    profiler.start()
    try:
        uvicorn.run(app, host="127.0.0.1", port=args.port, log_level="warning")
    finally:
        profiler.stop()
        args.out.write_text(profiler.output_text(unicode=False, color=False, show_all=False))
        args.out.with_suffix(".html").write_text(profiler.output_html())
        if profiler.last_session is not None:
            profiler.last_session.save(str(args.out.with_suffix(".pyisession")))


if __name__ == "__main__":
    main()
