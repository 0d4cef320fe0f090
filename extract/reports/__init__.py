"""What reads records: evaluation, diff, export, VERIS, stats and the review page."""
