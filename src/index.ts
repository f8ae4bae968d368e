/** What a plugin package imports from lvs. */
export { defineTask, noop } from './api';
export type { TaskModule, TaskContext, Fact, FactMap, FactValues, Plan, Change, PlannedCommand, CommandResult } from './api';
export { sh, quote, joinCommands, unshown, ShellCommand } from './transport/quote';
export { remoteFile, writeFileAtomically, setFileAttributes } from './facts/file';
export type { RemoteFile, FileAttributes } from './facts/file';
