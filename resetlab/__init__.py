"""Reset Lab: lessons, quizzes and progress on U.S.–Russia resets."""
