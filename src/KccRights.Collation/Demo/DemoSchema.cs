namespace KccRights.Collation.Demo;

/// <summary>
/// The demo source systems' tables: each system in its own schema with its own ids, column names and conventions, as
/// real systems differ (education ISO dates; early help dd/MM/yyyy text; social care upper-case surnames, timestamps and
/// postcodes without a space; youth justice yyyyMMdd; admissions ISO text). Never the service's tables.
/// </summary>
internal static class DemoSchema
{
    public static readonly string[] Schemas =
        ["src_education", "src_early_help", "src_social_care", "src_youth_justice", "src_send", "src_admissions", "src_demo"];

    public const string Tables =
        """
        CREATE TABLE src_education.pupils (pupil_id integer NOT NULL, upn text, forename text NOT NULL, middle_names text,
            surname text NOT NULL, former_surname text, date_of_birth date NOT NULL, gender char(1) NOT NULL,
            address_line1 text, town text, postcode text, school_name text, admission_date date);
        CREATE TABLE src_education.attendance (pupil_id integer NOT NULL, session_date date NOT NULL, session char(2) NOT NULL, mark char(1) NOT NULL);
        CREATE TABLE src_education.exclusions (exclusion_ref text NOT NULL, pupil_id integer NOT NULL, start_date date NOT NULL,
            category text NOT NULL, sessions integer NOT NULL, reason text NOT NULL, letter_name text, letter_pdf bytea);
        CREATE TABLE src_education.assessments (result_id bigint NOT NULL, pupil_id integer NOT NULL, key_stage text NOT NULL,
            subject text NOT NULL, outcome text NOT NULL, assessed_on date NOT NULL);
        CREATE TABLE src_education.sen_support (sen_id integer NOT NULL, pupil_id integer NOT NULL, primary_need text NOT NULL,
            provision text NOT NULL, reviewed_on date NOT NULL, notes text);
        CREATE TABLE src_education.medical_notes (note_id integer NOT NULL, pupil_id integer NOT NULL, recorded_on date NOT NULL,
            condition text NOT NULL, note text);
        CREATE TABLE src_education.incidents (incident_id integer NOT NULL, pupil_id integer NOT NULL, occurred_on date NOT NULL,
            category text NOT NULL, involvement text NOT NULL, narrative text);

        CREATE TABLE src_early_help.families (family_ref text NOT NULL, address text, postcode text, parent_names text, lead_worker text, opened text);
        CREATE TABLE src_early_help.clients (client_no integer NOT NULL, family_ref text NOT NULL, given_name text NOT NULL,
            family_name text NOT NULL, dob text NOT NULL, sex text NOT NULL, postcode text);
        CREATE TABLE src_early_help.episodes (episode_no integer NOT NULL, client_no integer NOT NULL, start_dt text NOT NULL,
            end_dt text, presenting_need text NOT NULL, outcome text);
        CREATE TABLE src_early_help.notes (note_no bigint NOT NULL, client_no integer NOT NULL, written text NOT NULL,
            author text NOT NULL, note_body text NOT NULL);

        CREATE TABLE src_social_care.persons (person_id bigint NOT NULL, first_names text NOT NULL, surname text NOT NULL,
            alias_surname text, birth_dttm timestamp NOT NULL, gender_code smallint NOT NULL, person_type text NOT NULL,
            address text, post_code text);
        CREATE TABLE src_social_care.referrals (referral_id bigint NOT NULL, person_id bigint NOT NULL, referral_dttm timestamp NOT NULL,
            source text NOT NULL, reason text NOT NULL, outcome text);
        CREATE TABLE src_social_care.assessments (assessment_id bigint NOT NULL, person_id bigint NOT NULL, started timestamp NOT NULL,
            completed timestamp, assessment_type text NOT NULL, summary text);
        CREATE TABLE src_social_care.case_notes (case_note_id bigint NOT NULL, person_id bigint NOT NULL, note_dttm timestamp NOT NULL,
            worker text NOT NULL, note_text text NOT NULL);
        CREATE TABLE src_social_care.plans (plan_id bigint NOT NULL, person_id bigint NOT NULL, plan_type text NOT NULL,
            start_date timestamp NOT NULL, end_date timestamp, details text);

        CREATE TABLE src_youth_justice.young_people (yp_id text NOT NULL, first_name text NOT NULL, last_name text NOT NULL,
            dob_yyyymmdd text NOT NULL, gender text NOT NULL, postcode text, upn text);
        CREATE TABLE src_youth_justice.offences (offence_id text NOT NULL, yp_id text NOT NULL, offence_date date NOT NULL,
            offence_type text NOT NULL, outcome text, description text);
        CREATE TABLE src_youth_justice.interventions (intervention_id text NOT NULL, yp_id text NOT NULL, started date NOT NULL,
            ended date, programme text NOT NULL, worker text, summary text);

        CREATE TABLE src_send.children (send_id text NOT NULL, child_forename text NOT NULL, child_surname text NOT NULL,
            date_of_birth date NOT NULL, upn text, home_postcode text);
        CREATE TABLE src_send.ehc_plans (plan_no integer NOT NULL, send_id text NOT NULL, issued_on date NOT NULL,
            primary_need text NOT NULL, provision_summary text, school_named text);
        CREATE TABLE src_send.needs_assessments (assessment_no integer NOT NULL, send_id text NOT NULL, requested_on date NOT NULL,
            decision text NOT NULL, decision_on date, notes text);

        CREATE TABLE src_admissions.applications (application_no text NOT NULL, applicant_first text NOT NULL, applicant_last text NOT NULL,
            applicant_dob text NOT NULL, parent_name text, home_address text, home_postcode text, preference_1 text,
            preference_2 text, offered text, submitted_at timestamptz NOT NULL, supporting_statement text);

        -- Where third-party names were planted in free text (a later issue measures redaction-suggestion recall against it).
        CREATE TABLE src_demo.third_party_mentions (system text NOT NULL, dataset text NOT NULL, record_id text NOT NULL,
            mention text NOT NULL, kind text NOT NULL, start_at integer NOT NULL);
        CREATE TABLE src_demo.planted (key text NOT NULL, system text NOT NULL, person_id text NOT NULL);
        """;

    // Built after the load (much faster than maintaining them row by row): keys, the trigram and equality indexes the
    // find-person queries use, and each dataset's person key.
    public static readonly string[] Indexes =
    [
        "ALTER TABLE src_education.pupils ADD PRIMARY KEY (pupil_id)",
        "CREATE INDEX ON src_education.pupils USING gin (surname public.gin_trgm_ops)",
        "CREATE INDEX ON src_education.pupils USING gin (former_surname public.gin_trgm_ops)",
        "CREATE INDEX ON src_education.pupils USING gin (forename public.gin_trgm_ops)",
        "CREATE INDEX ON src_education.pupils (date_of_birth)",
        "CREATE INDEX ON src_education.pupils (upn)",
        "CREATE INDEX ON src_education.attendance (pupil_id)",
        "CREATE INDEX ON src_education.exclusions (pupil_id)",
        "CREATE INDEX ON src_education.assessments (pupil_id)",
        "CREATE INDEX ON src_education.sen_support (pupil_id)",
        "CREATE INDEX ON src_education.medical_notes (pupil_id)",
        "CREATE INDEX ON src_education.incidents (pupil_id)",
        "ALTER TABLE src_early_help.families ADD PRIMARY KEY (family_ref)",
        "ALTER TABLE src_early_help.clients ADD PRIMARY KEY (client_no)",
        "CREATE INDEX ON src_early_help.clients USING gin (family_name public.gin_trgm_ops)",
        "CREATE INDEX ON src_early_help.clients USING gin (given_name public.gin_trgm_ops)",
        "CREATE INDEX ON src_early_help.clients (dob)",
        "CREATE INDEX ON src_early_help.episodes (client_no)",
        "CREATE INDEX ON src_early_help.notes (client_no)",
        "ALTER TABLE src_social_care.persons ADD PRIMARY KEY (person_id)",
        "CREATE INDEX ON src_social_care.persons USING gin (surname public.gin_trgm_ops)",
        "CREATE INDEX ON src_social_care.persons USING gin (alias_surname public.gin_trgm_ops)",
        "CREATE INDEX ON src_social_care.persons USING gin (first_names public.gin_trgm_ops)",
        "CREATE INDEX ON src_social_care.persons (birth_dttm)",
        "CREATE INDEX ON src_social_care.referrals (person_id)",
        "CREATE INDEX ON src_social_care.assessments (person_id)",
        "CREATE INDEX ON src_social_care.case_notes (person_id)",
        "CREATE INDEX ON src_social_care.plans (person_id)",
        "ALTER TABLE src_youth_justice.young_people ADD PRIMARY KEY (yp_id)",
        "CREATE INDEX ON src_youth_justice.young_people USING gin (last_name public.gin_trgm_ops)",
        "CREATE INDEX ON src_youth_justice.young_people USING gin (first_name public.gin_trgm_ops)",
        "CREATE INDEX ON src_youth_justice.young_people (dob_yyyymmdd)",
        "CREATE INDEX ON src_youth_justice.young_people (upn)",
        "CREATE INDEX ON src_youth_justice.offences (yp_id)",
        "CREATE INDEX ON src_youth_justice.interventions (yp_id)",
        "ALTER TABLE src_send.children ADD PRIMARY KEY (send_id)",
        "CREATE INDEX ON src_send.children USING gin (child_surname public.gin_trgm_ops)",
        "CREATE INDEX ON src_send.children USING gin (child_forename public.gin_trgm_ops)",
        "CREATE INDEX ON src_send.children (date_of_birth)",
        "CREATE INDEX ON src_send.children (upn)",
        "CREATE INDEX ON src_send.ehc_plans (send_id)",
        "CREATE INDEX ON src_send.needs_assessments (send_id)",
        "ALTER TABLE src_admissions.applications ADD PRIMARY KEY (application_no)",
        "CREATE INDEX ON src_admissions.applications USING gin (applicant_last public.gin_trgm_ops)",
        "CREATE INDEX ON src_admissions.applications USING gin (applicant_first public.gin_trgm_ops)",
        "CREATE INDEX ON src_admissions.applications (applicant_dob)",
        "CREATE INDEX ON src_demo.third_party_mentions (system, dataset, record_id)",
    ];
}
