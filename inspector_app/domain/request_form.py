"""What an Internal Oversight Review request form asks a WSO agency for.

Domain data, used by the service that records a review's request (services.
info_requests) and by the report that prints it (reports.request_form).
"""

from __future__ import annotations

# The standard list of information and documents requested from a WSO LEA.
# services.info_requests creates a review's InfoRequestItem rows from it, and
# reports.request_form prints it.
DEFAULT_REQUEST_ITEMS: list[str] = [
    "Current roster of warrant service officers (WSOs): name, rank, assignment and "
    "date of 287(g) designation",
    "Training records for each WSO: date and length of the WSO course",
    "Log of ICE credentials issued, revoked, retrieved and destroyed since the last review",
    "Records of every ICE warrant served by WSOs in the last 24 months (date, officer, "
    "subject, time of release from criminal custody)",
    "Complaints and allegations against WSOs, with how each was reported to ICE and resolved",
    "Written procedures for explaining the complaint process and providing interpretation",
    "Records of suspensions or revocations of WSO authority and the credentials retrieved",
    "Steering-committee meeting notices, agendas and minutes since the last review",
    "Name and contact details of the LEA's 287(g) program manager",
]
