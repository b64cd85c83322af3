"""written answers: grades, reusable comments, assignment options (issue 15)

Revision ID: 4eb17fc2a8f9
Revises: 8d1854079780
Create Date: 2026-11-30 07:13:42.295709

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '4eb17fc2a8f9'
down_revision = '8d1854079780'
branch_labels = None
depends_on = None


def upgrade():
    
    op.create_table('comment_snippet',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('owner_id', sa.Integer(), nullable=False),
    sa.Column('question_id', sa.String(length=100), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('digest', sa.String(length=64), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['owner_id'], ['user.id'], name=op.f('fk_comment_snippet_owner_id_user'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_comment_snippet')),
    sa.UniqueConstraint('owner_id', 'question_id', 'digest', name=op.f('uq_comment_snippet_owner_id'))
    )
    op.create_table('written_grade',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('item_id', sa.Integer(), nullable=False),
    sa.Column('attempt_id', sa.Integer(), nullable=False),
    sa.Column('assignment_id', sa.Integer(), nullable=False),
    sa.Column('question_id', sa.String(length=100), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('rubric', sa.JSON(), nullable=False),
    sa.Column('levels', sa.JSON(), nullable=False),
    sa.Column('points', sa.Integer(), nullable=True),
    sa.Column('max_points', sa.Integer(), nullable=False),
    sa.Column('comment', sa.Text(), nullable=False),
    sa.Column('grader_id', sa.Integer(), nullable=True),
    sa.Column('graded_at', sa.DateTime(), nullable=True),
    sa.Column('revisions', sa.JSON(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['assignment_id'], ['assignment.id'], name=op.f('fk_written_grade_assignment_id_assignment'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['attempt_id'], ['attempt.id'], name=op.f('fk_written_grade_attempt_id_attempt'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['grader_id'], ['user.id'], name=op.f('fk_written_grade_grader_id_user'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['item_id'], ['attempt_item.id'], name=op.f('fk_written_grade_item_id_attempt_item'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_written_grade')),
    sa.UniqueConstraint('item_id', name=op.f('uq_written_grade_item_id'))
    )
    with op.batch_alter_table('written_grade', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_written_grade_attempt_id'), ['attempt_id'], unique=False)
        batch_op.create_index('ix_written_grade_queue', ['assignment_id', 'question_id', 'status'], unique=False)

    with op.batch_alter_table('assignment', schema=None) as batch_op:
        batch_op.add_column(sa.Column('include_written', sa.Boolean(), server_default=sa.false(), nullable=False))
        batch_op.add_column(sa.Column('written_rubric', sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column('grades_released_at', sa.DateTime(), nullable=True))




def downgrade():
    
    with op.batch_alter_table('assignment', schema=None) as batch_op:
        batch_op.drop_column('grades_released_at')
        batch_op.drop_column('written_rubric')
        batch_op.drop_column('include_written')

    with op.batch_alter_table('written_grade', schema=None) as batch_op:
        batch_op.drop_index('ix_written_grade_queue')
        batch_op.drop_index(batch_op.f('ix_written_grade_attempt_id'))

    op.drop_table('written_grade')
    op.drop_table('comment_snippet')

