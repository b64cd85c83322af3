"""Written answers graded by instructors: the queue, rubrics, release, revision and comments."""
