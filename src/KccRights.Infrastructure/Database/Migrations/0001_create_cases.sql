-- A case is one right asked for by one request. One email asking for several rights opens several linked cases.
CREATE TABLE cases (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    reference   text        NOT NULL UNIQUE,
    right_code  text        NOT NULL,
    status      text        NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'closed')),
    channel     text        NOT NULL DEFAULT 'email' CHECK (channel IN ('email', 'letter', 'phone', 'in-person', 'web')),
    created_at  timestamptz NOT NULL DEFAULT now(),
    closed_at   timestamptz
);

-- References are KCC-<code>-<year>-<6 digits>, numbered per code and year.
CREATE TABLE case_reference_counters (
    code       text NOT NULL,
    year       int  NOT NULL,
    last_value int  NOT NULL,
    PRIMARY KEY (code, year)
);
