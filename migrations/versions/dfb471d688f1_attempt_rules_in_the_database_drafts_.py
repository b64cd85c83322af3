"""attempt rules in the database, drafts, deferred review, class practice sharing, removal

Revision ID: dfb471d688f1
Revises: 665f21a14626
Create Date: 2026-11-30 06:05:51.233269

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'dfb471d688f1'
down_revision = '665f21a14626'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('attempt', schema=None) as batch_op:
        batch_op.add_column(sa.Column('number', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('draft', sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column('draft_saved_at', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('review_fed', sa.Boolean(), server_default=sa.false(), nullable=False))

    # Before the rules can be constraints, repair what the old race allowed. An open attempt held no
    # answers (nothing was saved before submitting), so an older duplicate loses nothing.
    op.execute("""
        DELETE FROM attempt_item WHERE attempt_id IN (
            SELECT a.id FROM attempt a WHERE a.state = 'in_progress' AND EXISTS (
                SELECT 1 FROM attempt b WHERE b.state = 'in_progress' AND b.user_id = a.user_id
                AND b.bank_slug = a.bank_slug
                AND ((a.assignment_id IS NULL AND b.assignment_id IS NULL) OR b.assignment_id = a.assignment_id)
                AND (b.started_at > a.started_at OR (b.started_at = a.started_at AND b.id > a.id))))
    """)
    op.execute("""
        DELETE FROM attempt WHERE state = 'in_progress' AND EXISTS (
            SELECT 1 FROM attempt b WHERE b.state = 'in_progress' AND b.user_id = attempt.user_id
            AND b.bank_slug = attempt.bank_slug
            AND ((attempt.assignment_id IS NULL AND b.assignment_id IS NULL)
                 OR b.assignment_id = attempt.assignment_id)
            AND (b.started_at > attempt.started_at OR (b.started_at = attempt.started_at AND b.id > attempt.id)))
    """)
    # Number each learner's attempts at each assignment in the order they were started.
    op.execute("""
        UPDATE attempt SET number = (
            SELECT COUNT(*) FROM attempt b WHERE b.user_id = attempt.user_id
            AND b.assignment_id = attempt.assignment_id
            AND (b.started_at < attempt.started_at OR (b.started_at = attempt.started_at AND b.id <= attempt.id)))
        WHERE assignment_id IS NOT NULL
    """)
    # Finished attempts already fed the review schedule when they were graded.
    op.execute("UPDATE attempt SET review_fed = TRUE WHERE state = 'finished'")

    with op.batch_alter_table('attempt', schema=None) as batch_op:
        batch_op.create_unique_constraint('uq_attempt_number', ['user_id', 'assignment_id', 'number'])
        batch_op.create_index('uq_attempt_open_assignment', ['user_id', 'assignment_id'], unique=True, sqlite_where=sa.text("state = 'in_progress' AND assignment_id IS NOT NULL"), postgresql_where=sa.text("state = 'in_progress' AND assignment_id IS NOT NULL"))
        batch_op.create_index('uq_attempt_open_practice', ['user_id', 'bank_slug'], unique=True, sqlite_where=sa.text("state = 'in_progress' AND assignment_id IS NULL"), postgresql_where=sa.text("state = 'in_progress' AND assignment_id IS NULL"))

    with op.batch_alter_table('classroom', schema=None) as batch_op:
        batch_op.add_column(sa.Column('share_practice', sa.Boolean(), server_default=sa.false(), nullable=False))

    with op.batch_alter_table('enrollment', schema=None) as batch_op:
        batch_op.add_column(sa.Column('removed_at', sa.DateTime(), nullable=True))


def downgrade():
    with op.batch_alter_table('enrollment', schema=None) as batch_op:
        batch_op.drop_column('removed_at')

    with op.batch_alter_table('classroom', schema=None) as batch_op:
        batch_op.drop_column('share_practice')

    with op.batch_alter_table('attempt', schema=None) as batch_op:
        batch_op.drop_index('uq_attempt_open_practice', sqlite_where=sa.text("state = 'in_progress' AND assignment_id IS NULL"), postgresql_where=sa.text("state = 'in_progress' AND assignment_id IS NULL"))
        batch_op.drop_index('uq_attempt_open_assignment', sqlite_where=sa.text("state = 'in_progress' AND assignment_id IS NOT NULL"), postgresql_where=sa.text("state = 'in_progress' AND assignment_id IS NOT NULL"))
        batch_op.drop_constraint('uq_attempt_number', type_='unique')
        batch_op.drop_column('review_fed')
        batch_op.drop_column('draft_saved_at')
        batch_op.drop_column('draft')
        batch_op.drop_column('number')

