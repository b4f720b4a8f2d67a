"""Background jobs: long work (an export to a file, an import of an uploaded file, an agreement
recompute) that a worker runs from the PostgreSQL queue (procrastinate; labels/jobs/).

A ``Job`` is what people and the API see; the queue's own row (``procrastinate_jobs``, id in
``queue_id``) is how workers share the work. The job's state only moves forward (queued →
running → succeeded / failed / cancelled, with running → queued again when a worker died and
the job is retried), and its result is recorded in the same statement that marks it succeeded,
so nothing half-done is ever visible.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q

from labels.models.common import acting_user, valid_choice
from labels.models.projects import Project


class JobKind(models.TextChoices):
    EXPORT = "export", "Export to a file"
    IMPORT = "import", "Import of an uploaded file"
    AGREEMENT = "agreement", "Agreement recompute"
    TRAIN = "train", "Suggester training"


class JobState(models.TextChoices):
    QUEUED = "queued", "Queued"
    RUNNING = "running", "Running"
    SUCCEEDED = "succeeded", "Succeeded"
    FAILED = "failed", "Failed"
    CANCELLED = "cancelled", "Cancelled"


#: States a job never leaves.
FINAL_STATES = (JobState.SUCCEEDED, JobState.FAILED, JobState.CANCELLED)
#: States in which a job may still be cancelled.
ACTIVE_STATES = (JobState.QUEUED, JobState.RUNNING)


class Job(models.Model):
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="jobs")
    created_by = acting_user()
    kind = models.CharField(max_length=16, choices=JobKind.choices)
    state = models.CharField(max_length=16, choices=JobState.choices, default=JobState.QUEUED)
    #: The checked parameters (an export's, an import's options and the uploaded file's name).
    params = models.JSONField(default=dict, blank=True)
    progress = models.FloatField(default=0.0)
    message = models.CharField(max_length=200, blank=True, default="")
    #: What the job produced: an import's report, an export's file name, size and lines.
    result = models.JSONField(null=True, blank=True)
    error = models.TextField(blank=True, default="")
    #: The result file in the jobs storage (``STORAGES["jobs"]``), set once it is complete.
    file = models.CharField(max_length=300, blank=True, default="")
    #: The uploaded file of an import, in the jobs storage, until the job ends.
    upload = models.CharField(max_length=300, blank=True, default="")
    #: The queue's job (``procrastinate_jobs.id``).
    queue_id = models.BigIntegerField(null=True, blank=True)
    attempts = models.PositiveIntegerField(default=0)
    #: The worker of the latest attempt, as host:pid.
    worker = models.CharField(max_length=200, blank=True, default="")
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["project", "-created_at"], name="labels_job_by_project"),
            models.Index(
                fields=["finished_at"],
                condition=Q(finished_at__isnull=False),
                name="labels_job_finished",
            ),
        ]
        constraints = [
            valid_choice("job", "kind", JobKind),
            valid_choice("job", "state", JobState),
            models.CheckConstraint(
                condition=Q(progress__gte=0.0, progress__lte=1.0),
                name="labels_job_progress_in_0_1",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} job {self.pk} of {self.project_id} ({self.state})"
