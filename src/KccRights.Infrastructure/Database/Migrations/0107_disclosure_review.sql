-- Disclosure review (issue 13 Build 1 and 3): each collated item's decision (disclose, redact, withhold), its
-- redactions, the reviewer's answers to suggestions, and the four-eyes check of every redaction and withheld item.
-- Owned by src/KccRights.Disclosure (its SQL lives there). Notes and comments may name people: sealed (UK GDPR Art 32(1)(a)).

-- One decision per item. A withheld item carries its exemption code (DPA 2018 Schs 2-4, LEGAL-RULES.md section 3).
CREATE TABLE review_decisions (
    case_id       bigint      NOT NULL,
    item_id       bigint      NOT NULL,
    decision      text        NOT NULL CHECK (decision IN ('disclose', 'redact', 'withhold')),
    withheld_code text,
    sealed_note   bytea,
    decided_by    text        NOT NULL,
    decided_at    timestamptz NOT NULL,
    PRIMARY KEY (case_id, item_id),
    CHECK ((decision = 'withhold') = (withheld_code IS NOT NULL))
);

-- A span removed from an item's text (field_name NULL) or from one field's value; offsets in UTF-16 code units, as the
-- bundle counts them. Spans of one field never overlap (checked by the store against the item's current text).
CREATE TABLE review_redactions (
    id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    case_id       bigint      NOT NULL,
    item_id       bigint      NOT NULL,
    field_name    text,
    whole_field   boolean     NOT NULL DEFAULT false,
    start_at      int         NOT NULL CHECK (start_at >= 0),
    length        int         NOT NULL CHECK (length > 0),
    code          text        NOT NULL,
    sealed_note   bytea       NOT NULL,
    suggestion_id text,
    created_by    text        NOT NULL,
    created_at    timestamptz NOT NULL
);
CREATE INDEX review_redactions_item ON review_redactions (case_id, item_id);

-- The reviewer's answer to a suggestion (keyed by the suggestion's stable id).
CREATE TABLE review_suggestion_states (
    case_id       bigint      NOT NULL,
    suggestion_id text        NOT NULL,
    item_id       bigint      NOT NULL,
    state         text        NOT NULL CHECK (state IN ('accepted', 'dismissed')),
    decided_by    text        NOT NULL,
    decided_at    timestamptz NOT NULL,
    PRIMARY KEY (case_id, suggestion_id)
);

-- The four-eyes check (issue 13 Build 3): a second officer accepts each redaction and withheld item, or returns it with
-- a comment for the reviewer. target_id is the redaction's id, or the withheld item's id.
CREATE TABLE review_checks (
    case_id        bigint      NOT NULL,
    kind           text        NOT NULL CHECK (kind IN ('redaction', 'withheld')),
    target_id      bigint      NOT NULL,
    status         text        NOT NULL CHECK (status IN ('accepted', 'returned')),
    sealed_comment bytea,
    checked_by     text        NOT NULL,
    checked_at     timestamptz NOT NULL,
    PRIMARY KEY (case_id, kind, target_id)
);
