-- 0008_job_cursors: how far in the log each background job has done its
-- work, so that a job taken over by another node, or restarted, resumes
-- there instead of starting over (store.DB.JobCursor, internal/jobs).
CREATE TABLE job_cursors (
	job      TEXT   PRIMARY KEY,
	log_size BIGINT NOT NULL
);
