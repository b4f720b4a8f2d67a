"""Long work in the background: jobs on the PostgreSQL queue (procrastinate), their progress,
their files, and the workers that share them (docs/deploy.md, "Workers")."""
