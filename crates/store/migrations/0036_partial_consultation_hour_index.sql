-- Only a question asked during a partner's consultation hour has one, so most rows hold NULL here: an index of
-- millions of NULL keys was kept up by every registration and built by every bulk load for no reader. The
-- partial index serves every lookup by consultation hour (`= ?` and `IN (...)` imply NOT NULL) on both
-- databases.
DROP INDEX help_questions_by_consultation_hour;
CREATE INDEX help_questions_by_consultation_hour ON help_questions (consultation_hour_id)
    WHERE consultation_hour_id IS NOT NULL;
