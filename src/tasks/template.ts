/**
 * Renders a handlebars template for the host and writes it to a file, atomically and only
 * when the content differs; mode, owner and group are fixed in place when only they differ.
 */
import { defineTask, noop, type Change, type Fact, type PlannedCommand } from '../api';
import { refuseOtherType, remoteFile, type RemoteFile } from '../facts/file';
import { setFileAttributes, writeFileAtomically, type FileAttributes } from '../changes/file';
import { ABSOLUTE_PATH, TEMPLATE_NAME } from './patterns';
/** chmod's octal form, with or without the leading 0: 644, 0644, 1777, 01777. */
const FILE_MODE = '^0?[0-7]{3,4}$';
/** Login and group names as useradd(8) accepts them (no leading digit or dash). */
const ACCOUNT_NAME = '^[A-Za-z_][A-Za-z0-9_.-]{0,31}$';

function modesEqual(left: string, right: string): boolean {
  return parseInt(left, 8) === parseInt(right, 8);
}

interface TemplateArgs {
  src: string;
  dest: string;
  mode: string;
  owner?: string;
  group?: string;
}

/** What has to change in the file's attributes, given what is asked. */
function attributeChanges(args: TemplateArgs, file: RemoteFile): FileAttributes {
  const wanted: FileAttributes = {};
  if (!file.mode || !modesEqual(file.mode, args.mode)) wanted.mode = args.mode;
  if (args.owner && args.owner !== file.owner) wanted.owner = args.owner;
  if (args.group && args.group !== file.group) wanted.group = args.group;
  return wanted;
}

export default defineTask<TemplateArgs, { file: Fact<RemoteFile> }>({
  name: 'template',
  description: 'Renders a template for each host and writes it to a file when its content or attributes differ.',
  schema: {
    type: 'object',
    additionalProperties: false,
    required: ['src', 'dest'],
    properties: {
      src: {
        type: 'string',
        pattern: TEMPLATE_NAME,
        description:
          'The template to render, a relative name looked up beside the playbook and then in the templates/ folder. Templates ending in .html.hbs or .htm.hbs are HTML-escaped; every other one is written verbatim.',
      },
      dest: {
        type: 'string',
        pattern: ABSOLUTE_PATH,
        description:
          'The absolute path of the file to write on the host, without . or .. segments. A symbolic link is followed, as Ansible\'s template does by default: its target is written (atomically) and the link is kept. A directory or any other file that is not a regular file there fails the task.',
      },
      mode: {
        type: 'string',
        pattern: FILE_MODE,
        default: '0644',
        description: 'The octal permission bits of the file, such as "0644" (quote it in YAML, where 0644 without quotes is a decimal number).',
      },
      owner: { type: 'string', pattern: ACCOUNT_NAME, description: 'The user name that owns the file; an existing file keeps its owner when this is not given.' },
      group: { type: 'string', pattern: ACCOUNT_NAME, description: 'The group name of the file; an existing file keeps its group when this is not given.' },
    },
  },
  example: { src: 'sysctl.conf.hbs', dest: '/etc/sysctl.d/90-lvs.conf', mode: '0644' },
  templates: (args) => [args.src],
  facts: (args) => ({ file: remoteFile(args.dest) }),
  plan(args, facts, context) {
    const { file } = facts;
    refuseOtherType(file, `dest ${args.dest}`);
    const content = context.templates[args.src];
    if (!file.exists || file.content !== content) {
      const change: Change = { subject: args.dest, before: file.exists ? file.content : null, after: content };
      // A rewrite is a new inode: keep the owner and group of the file it replaces unless told
      // otherwise (stat prints UNKNOWN for an id without a name, which chown would refuse).
      const named = (name: string | undefined) => (name === 'UNKNOWN' ? undefined : name);
      const attributes: FileAttributes = { mode: args.mode, owner: args.owner ?? named(file.owner), group: args.group ?? named(file.group) };
      return { changes: [change], commands: [{ run: writeFileAtomically(args.dest, content, attributes, file) }] };
    }
    const wanted = attributeChanges(args, file);
    const changes: Change[] = [];
    if (wanted.mode) changes.push({ subject: `${args.dest} mode`, before: file.mode, after: args.mode });
    if (wanted.owner) changes.push({ subject: `${args.dest} owner`, before: file.owner, after: wanted.owner });
    if (wanted.group) changes.push({ subject: `${args.dest} group`, before: file.group, after: wanted.group });
    if (changes.length === 0) {
      return noop(`${args.dest} already holds ${args.src} as rendered for ${context.host}, mode ${file.mode} ${file.owner}:${file.group}`);
    }
    const commands: PlannedCommand[] = setFileAttributes(args.dest, wanted).map((run) => ({ run }));
    return { changes, commands };
  },
});
