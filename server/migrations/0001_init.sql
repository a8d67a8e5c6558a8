-- Spaces (one operator's books), their users, sessions and machine tokens, and the
-- journal that is the record of each space's ledger.
CREATE TABLE spaces (
    id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name       text NOT NULL UNIQUE,
    created_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE users (
    id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    space_id      bigint NOT NULL REFERENCES spaces (id),
    -- Stored lower-cased, so one address is one account whatever its spelling.
    email         text NOT NULL UNIQUE,
    -- Argon2id PHC string (algorithm, parameters, salt and hash).
    password_hash text NOT NULL,
    role          text NOT NULL CHECK (role IN ('owner', 'finance', 'viewer')),
    created_at    timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX users_space ON users (space_id);

-- Only a hash of each session token is kept: a database dump signs nobody in.
CREATE TABLE sessions (
    token_hash bytea PRIMARY KEY,
    user_id    bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at timestamptz NOT NULL DEFAULT now(),
    expires_at timestamptz NOT NULL
);
CREATE INDEX sessions_user ON sessions (user_id);
CREATE INDEX sessions_expires ON sessions (expires_at);

CREATE TABLE api_tokens (
    id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    space_id   bigint NOT NULL REFERENCES spaces (id),
    token_hash bytea NOT NULL UNIQUE,
    name       text NOT NULL,
    role       text NOT NULL CHECK (role IN ('owner', 'finance', 'viewer')),
    created_by bigint REFERENCES users (id) ON DELETE SET NULL,
    created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX api_tokens_space ON api_tokens (space_id);

-- Every accepted command, in server order, gap-free from 1 per space. `command` is the
-- JSON text exactly as the engine accepted it (with the server's `at` and `by`), so a
-- replay goes through the same door and checksums over it stay stable.
CREATE TABLE journal (
    space_id bigint NOT NULL REFERENCES spaces (id),
    seq      bigint NOT NULL CHECK (seq > 0),
    id       text NOT NULL,
    command  text NOT NULL,
    at       timestamptz NOT NULL,
    by       text NOT NULL,
    PRIMARY KEY (space_id, seq),
    UNIQUE (space_id, id)
);

-- Engine snapshots (the state after `seq`), written now and then by the server: a fast
-- start for the server's cache and for a browser's first sync.
CREATE TABLE snapshots (
    space_id   bigint NOT NULL REFERENCES spaces (id),
    seq        bigint NOT NULL,
    bytes      bytea NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (space_id, seq)
);
