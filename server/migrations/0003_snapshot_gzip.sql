-- Snapshots are stored gzip-compressed (RFC 1952), compressed once by the server when it
-- takes them; rows written before hold the engine's bytes as they are (they start with
-- `TALLYSNP`, gzip with 0x1f 0x8b) and are still read. `raw_length` is the length of
-- the engine's bytes (NULL in those older rows, where it is the length of `bytes`), so
-- a reader can size the buffer it decompresses into. The column keeps storage EXTERNAL
-- (0002): compressed bytes don't compress again, pglz would only cost time.
ALTER TABLE snapshots ADD COLUMN raw_length bigint CHECK (raw_length >= 0);
