"""A student's classes: joining with a code or link, the assignments of a class, and starting them."""
