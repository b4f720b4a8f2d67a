"""Jobs of kind "train": a project's suggester trained in the background."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("labels", "0014_speakers")]

    operations = [
        migrations.AlterField(
            model_name="job",
            name="kind",
            field=models.CharField(
                choices=[
                    ("export", "Export to a file"),
                    ("import", "Import of an uploaded file"),
                    ("agreement", "Agreement recompute"),
                    ("train", "Suggester training"),
                ],
                max_length=16,
            ),
        ),
        migrations.RemoveConstraint(model_name="job", name="labels_job_kind_valid"),
        migrations.AddConstraint(
            model_name="job",
            constraint=models.CheckConstraint(
                condition=models.Q(("kind__in", ["export", "import", "agreement", "train"])),
                name="labels_job_kind_valid",
            ),
        ),
    ]
