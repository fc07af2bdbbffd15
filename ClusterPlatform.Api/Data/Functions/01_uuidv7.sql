-- UUIDv7 (RFC 9562) for rows the database creates itself, such as the events of a cascade.
-- PostgreSQL 15 has no uuidv7(); this takes a random v4 UUID, writes the Unix time in
-- milliseconds into its first 48 bits and turns the version nibble from 4 into 7.
CREATE OR REPLACE FUNCTION uuidv7() RETURNS uuid
LANGUAGE sql VOLATILE AS $$
    SELECT encode(
        set_bit(set_bit(
            overlay(uuid_send(gen_random_uuid())
                    PLACING substring(int8send(floor(extract(epoch FROM clock_timestamp()) * 1000)::bigint) FROM 3)
                    FROM 1 FOR 6),
            52, 1), 53, 1),
        'hex')::uuid
$$;
