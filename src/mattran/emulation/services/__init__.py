"""Writes for planning, emulation, commendation and conferences.

Every function is atomic, keyword-only, validates before it writes, checks the
actor's permission through the access policy, and records its audit event in
the same transaction. Who may do what:

- key tasks, coordination programs, pledge set-up, conferences: EDIT on the
  committee's unit;
- self-scoring and evidence: EDIT on the member unit;
- verification, locking, rating a unit: APPROVE on the organiser (for a rating:
  on the level above the rated unit);
- reopening a locked pledge: ADMINISTER on the organiser;
- commendation proposals and decisions: EDIT or APPROVE on the unit.
"""

from .commendations import (
    Recipient,
    commendation_add,
    decision_create,
    proposal_create,
    proposal_reject,
    proposals_from_ranking,
)
from .conferences import (
    ConferenceInput,
    commendations_add_many,
    conference_agenda_add,
    conference_agenda_delete,
    conference_attendee_add,
    conference_attendee_delete,
    conference_create,
    conference_links_set,
    conference_update,
)
from .planning import (
    key_task_create,
    key_task_delete,
    key_task_move,
    key_task_update,
    program_create,
    program_document_attach,
    program_item_add,
    program_item_delete,
    program_sign,
    program_signatory_add,
    program_signatory_delete,
    program_title,
    programs_create_for_all,
)
from .pledges import (
    CriterionInput,
    cluster_create,
    criterion_create,
    criterion_delete,
    criterion_targets_set,
    criterion_update,
    measure_entry_create,
    measure_entry_delete,
    pledge_activate,
    pledge_create,
    unit_rating_set,
)
from .sheets import (
    SelfScore,
    Verification,
    evidence_add,
    evidence_delete,
    pledge_lock,
    pledge_reopen,
    score_sheet_ensure,
    sheet_return,
    sheet_self_score,
    sheet_self_score_save,
    sheet_submit,
    sheet_verify,
)

__all__ = [
    "ConferenceInput",
    "CriterionInput",
    "Recipient",
    "SelfScore",
    "Verification",
    "cluster_create",
    "commendation_add",
    "commendations_add_many",
    "conference_agenda_add",
    "conference_agenda_delete",
    "conference_attendee_add",
    "conference_attendee_delete",
    "conference_create",
    "conference_links_set",
    "conference_update",
    "criterion_create",
    "criterion_delete",
    "criterion_targets_set",
    "criterion_update",
    "decision_create",
    "evidence_add",
    "evidence_delete",
    "key_task_create",
    "key_task_delete",
    "key_task_move",
    "key_task_update",
    "measure_entry_create",
    "measure_entry_delete",
    "pledge_activate",
    "pledge_create",
    "pledge_lock",
    "pledge_reopen",
    "program_create",
    "program_document_attach",
    "program_item_add",
    "program_item_delete",
    "program_sign",
    "program_signatory_add",
    "program_signatory_delete",
    "program_title",
    "programs_create_for_all",
    "proposal_create",
    "proposal_reject",
    "proposals_from_ranking",
    "score_sheet_ensure",
    "sheet_return",
    "sheet_self_score",
    "sheet_self_score_save",
    "sheet_submit",
    "sheet_verify",
    "unit_rating_set",
]
