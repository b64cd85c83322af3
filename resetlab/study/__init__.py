"""The learner's side: course home, lessons, quizzes and attempts, results and progress."""
