-- Snapshot bytes are already compact (postcard varints): PostgreSQL's own compression
-- (pglz) of a large value cost more time on write and read than it saved in space.
ALTER TABLE snapshots ALTER COLUMN bytes SET STORAGE EXTERNAL;
