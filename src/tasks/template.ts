/**
 * Renders a handlebars template for the host and writes it to a file, atomically and only
 * when the content differs; mode, owner and group are fixed in place when only they differ.
 */
import { defineTask, noop, type Change, type Fact } from '../api';
import { refuseOtherType, remoteFile, type RemoteFile } from '../facts/file';
import { attributeDrift, attributesForRewrite, setFileAttributes, writeFileAtomically } from '../changes/file';
import { ABSOLUTE_PATH, ACCOUNT_NAME, FILE_MODE, TEMPLATE_NAME } from './patterns';

interface TemplateArgs {
  src: string;
  dest: string;
  mode: string;
  owner?: string;
  group?: string;
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
    const wanted = { mode: args.mode, owner: args.owner, group: args.group };
    if (!file.exists || file.content !== content) {
      const change: Change = { subject: args.dest, before: file.exists ? file.content : null, after: content };
      return { changes: [change], commands: [{ run: writeFileAtomically(args.dest, content, attributesForRewrite(wanted, file), file) }] };
    }
    const { set, changes } = attributeDrift(args.dest, wanted, file);
    if (changes.length === 0) {
      return noop(`${args.dest} already holds ${args.src} as rendered for ${context.host}, mode ${file.mode} ${file.owner}:${file.group}`);
    }
    return { changes, commands: setFileAttributes(args.dest, set).map((run) => ({ run })) };
  },
});
