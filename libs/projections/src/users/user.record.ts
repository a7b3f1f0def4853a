import { Column, Entity, PrimaryColumn } from 'typeorm';

/** Read model of a user, from UserCreated. Email is unique here: the append that would break it fails. */
@Entity({ name: 'users' })
export class UserRecord {
  @PrimaryColumn('uuid')
  id!: string;

  @Column('text', { unique: true })
  email!: string;

  @Column('text')
  name!: string;

  @Column('text')
  role!: 'admin' | 'user';

  @Column('text', { name: 'password_hash' })
  passwordHash!: string;

  @Column('timestamptz', { name: 'created_at' })
  createdAt!: Date;
}
