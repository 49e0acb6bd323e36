-- 0013_status_commitment: an agreement status change's log leaf no longer
-- names the admin who made it (by): it holds a commitment to the name,
-- the hex SHA-256 of a random per-change salt followed by the name
-- (truce.NameCommitment), and the salt is kept here, so that the leaf can
-- be re-encoded for log verify and staff can prove who made the change.
-- Rows from before hold NULL: their leaves name the admin in the clear,
-- and are re-encoded that way.
ALTER TABLE status_changes ADD COLUMN by_salt TEXT;
