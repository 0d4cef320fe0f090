"""rouei fetch: a polite collector of notices into a corpus that ``rouei extract`` reads."""
