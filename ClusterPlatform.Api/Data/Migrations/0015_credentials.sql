-- Break-glass credentials (docs/api.md "Credentials"): a user's certificate signing request, relayed
-- by the operator client to HyperShift's customer-break-glass signer, and the revocations that
-- revoke every such certificate of a cluster at once. Written by Credentials/CredentialStore.cs.
--
-- Tenancy is the cluster's: every read and write goes through the cluster row, which carries the
-- organization. The rows go with a hard-deleted cluster (ON DELETE CASCADE), as its status reports
-- do; the audit trail, which outlives the cluster, keeps who requested, was issued and revoked what.

CREATE TABLE credentials (
    id                 uuid        PRIMARY KEY,
    cluster_id         uuid        NOT NULL REFERENCES clusters (id) ON DELETE CASCADE,
    -- Who asked: the token subject, and the subject with the organization (Caller.Key), which is what
    -- decides who may read the certificate back.
    requested_by       text        NOT NULL,
    requester_key      text        NOT NULL,
    -- The subject the Api checked the CSR for (BreakGlassSubject), and the CSR itself: the operator
    -- client relays it. Neither the CSR nor the CA bundle is ever returned to a user.
    subject            text        NOT NULL,
    csr                text        NOT NULL,
    expiration_seconds integer     NOT NULL CHECK (expiration_seconds >= 600),
    -- Expired is not stored: a Pending or Issued row past expires_at reads as Expired.
    state              text        NOT NULL CHECK (state IN ('Pending', 'Issued', 'Failed', 'Revoked')),
    requested_at       timestamptz NOT NULL,
    -- requested_at + the lifetime until issuance, then the certificate's NotAfter.
    expires_at         timestamptz NOT NULL,
    issued_at          timestamptz,
    revoked_at         timestamptz,
    message            text        CHECK (length(message) <= 1024),
    certificate        text,
    ca_bundle          text,
    api_url            text,
    -- What each state carries: an Issued one its certificate, a Failed one its reason, a Revoked one when.
    CHECK (state <> 'Issued' OR (certificate IS NOT NULL AND ca_bundle IS NOT NULL AND api_url IS NOT NULL AND issued_at IS NOT NULL)),
    CHECK (state <> 'Failed' OR message IS NOT NULL),
    CHECK (state <> 'Revoked' OR revoked_at IS NOT NULL)
);

-- A cluster's list, newest first; and the operator client's work, the Pending ones.
CREATE INDEX credentials_cluster_id_idx ON credentials (cluster_id, requested_at DESC, id DESC);
CREATE INDEX credentials_pending_idx ON credentials (cluster_id) WHERE state = 'Pending';

CREATE TABLE credential_revocations (
    id           uuid        PRIMARY KEY,
    cluster_id   uuid        NOT NULL REFERENCES clusters (id) ON DELETE CASCADE,
    requested_by text        NOT NULL,
    state        text        NOT NULL CHECK (state IN ('Pending', 'Completed', 'Failed')),
    requested_at timestamptz NOT NULL,
    completed_at timestamptz,
    message      text        CHECK (length(message) <= 1024),
    CHECK ((state = 'Pending') = (completed_at IS NULL)),
    CHECK (state <> 'Failed' OR message IS NOT NULL)
);

CREATE INDEX credential_revocations_cluster_id_idx ON credential_revocations (cluster_id, requested_at DESC);
CREATE INDEX credential_revocations_pending_idx ON credential_revocations (cluster_id) WHERE state = 'Pending';
