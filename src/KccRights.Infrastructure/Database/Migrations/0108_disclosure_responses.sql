-- The draft response (issue 13 Build 4 and 5): every render-response job that finished leaves one row, either a
-- rendered version of the response PDF (sealed at rest, UK GDPR Art 32(1)(a), with its SHA-256, page count and the
-- internal redaction log, also sealed) or the reason it could not be rendered (an incomplete review). The DPO's
-- approval marks one version. Owned by src/KccRights.Disclosure (its SQL lives there).
CREATE TABLE disclosure_responses (
    id                   bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    case_id              bigint      NOT NULL,
    job_id               bigint      NOT NULL UNIQUE,
    status               text        NOT NULL CHECK (status IN ('ready', 'failed')),
    version              int,
    failure              text,
    sealed_pdf           bytea,
    sha256               text,
    page_count           int,
    sealed_redaction_log bytea,
    -- SHA-256 of the review decisions the version was rendered from: the draft is current while they are unchanged.
    review_fingerprint   text,
    rendered_by          text        NOT NULL,
    rendered_at          timestamptz NOT NULL,
    approved_by          text,
    approved_at          timestamptz,
    UNIQUE (case_id, version),
    CHECK ((status = 'ready') = (version IS NOT NULL AND sealed_pdf IS NOT NULL AND sha256 IS NOT NULL AND page_count IS NOT NULL)),
    CHECK (status = 'failed' OR failure IS NULL),
    CHECK ((approved_by IS NULL) = (approved_at IS NULL)),
    CHECK (approved_by IS NULL OR status = 'ready')
);

CREATE INDEX disclosure_responses_case ON disclosure_responses (case_id, id);
