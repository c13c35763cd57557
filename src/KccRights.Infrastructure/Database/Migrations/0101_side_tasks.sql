-- Side tasks (issue 11): a task a module opens beside its state's own task, e.g. a manual search of one source system
-- while the others are collated. It belongs to the state it was opened in (leaving the state cancels it); completing it
-- records the outcome and raises no event (the module that opened it decides what completion means).
ALTER TABLE workflow_tasks ADD COLUMN side boolean NOT NULL DEFAULT false;
