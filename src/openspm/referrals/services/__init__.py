"""Writes of the referral app: programs, intake (clicks, submissions, fraud checks), the
funnel (review, CRM updates), rewards and campaigns. Import the module you need."""
