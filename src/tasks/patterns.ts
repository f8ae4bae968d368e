/**
 * Argument forms that several tasks share, as JSON Schema `pattern`s. They keep out what a
 * shell, iproute2 or the file system would read differently; whether a value is really an
 * address is left to each task's validate(), which can say what is wrong with it.
 *
 * No name starts with `-`: a name becomes a command operand, and a tool would read
 * `-p/root/evil.conf` or `--help` there as an option (sysctl -p loads that file).
 */

/** The pattern for a value in exactly one of `forms` (fragments without anchors). */
function whole(...forms: string[]): string {
  return forms.length === 1 ? `^${forms[0]}$` : `^(${forms.join('|')})$`;
}

/** A network device name: at most 15 characters (IFNAMSIZ less the NUL). */
const DEVICE = '[A-Za-z0-9_.@+][A-Za-z0-9_.@+-]{0,14}';
/** IPv4 or IPv6 text, up to the 45 characters of ffff:...:ffff:255.255.255.255. */
const ADDRESS = '[0-9A-Fa-f.:]{2,45}';
/** After an address: a prefix length, or an IPv4 netmask (/255.255.255.255). */
const PREFIX = '(/[0-9.]{1,15})?';

export const DEVICE_NAME = whole(DEVICE);
/** A device or one of its IPv4 address labels, such as lo:0 (what ifconfig calls an alias). */
export const DEVICE_OR_LABEL = whole(`${DEVICE}(:[A-Za-z0-9_.@+-]{1,14})?`);
export const IP_ADDRESS = whole(ADDRESS);
/** An address with an optional port, as ipvsadm writes a real server: 10.0.0.1, 10.0.0.1:80, [2001:db8::1]:80. */
export const IP_ADDRESS_PORT = whole(`${ADDRESS}(:[0-9]{1,5})?`, `\\[${ADDRESS}\\](:[0-9]{1,5})?`);
/** An address with an optional prefix length: 192.168.2.100/32, 2001:db8::1/64, 10.0.0.1. */
export const IP_PREFIX = whole(ADDRESS + PREFIX);
/** A route destination: default, a network or a bare address. */
export const ROUTE_DESTINATION = whole('default', ADDRESS + PREFIX);
/** A template named relative to the playbook, in segments that cannot climb out (`..`) or hide (`.x`): the engine resolves it. */
export const TEMPLATE_NAME = whole('[A-Za-z0-9_][A-Za-z0-9_.@+-]*(/[A-Za-z0-9_][A-Za-z0-9_.@+-]*)*');
/** A kernel module name as modprobe takes it (ip_vs, ipip). */
export const MODULE_NAME = whole('[A-Za-z0-9_][A-Za-z0-9_-]{0,63}');
/**
 * An absolute path in plain segments: no empty segment (`//`, a trailing slash), no `.` or
 * `..` (`/etc/../tmp/x` is not under /etc, whatever it looks like), no NUL or line break,
 * which no tool round-trips.
 */
export const ABSOLUTE_PATH = whole('(?!.*/\\.\\.?(/|$))(/[^/\\u0000\\n\\r]+)+');
/** chmod's octal form, with or without the leading 0: 644, 0644, 1777, 01777. */
export const FILE_MODE = '^0?[0-7]{3,4}$';
/** Login and group names as useradd(8) accepts them (no leading digit or dash). */
export const ACCOUNT_NAME = '^[A-Za-z_][A-Za-z0-9_.-]{0,31}$';
/** A local source named like a template; a trailing `/` names a directory's contents. */
export const SOURCE_NAME = whole('[A-Za-z0-9_][A-Za-z0-9_.@+-]*(/[A-Za-z0-9_][A-Za-z0-9_.@+-]*)*/?');
/**
 * A package name: Debian's rules (policy 5.6.1: lowercase letters, digits, `+`, `-` and `.`,
 * at least two characters, starting with a letter or digit), widened by the upper case and
 * `_` that RPM names use (NetworkManager, perl-Net_SSLeay). Not ending in .deb or .rpm,
 * which apt and dnf may take for a file in the current directory.
 */
const PACKAGE = '(?!.*\\.(deb|rpm)$)[A-Za-z0-9][A-Za-z0-9+._-]{1,127}';
/** ABSOLUTE_PATH's form without its anchors, to end with a file extension. */
const PLAIN_ABSOLUTE_PATH = '(?!.*/\\.\\.?(/|$))(/[^/\\u0000\\n\\r]+)+';
/** A .deb file on the host, as an absolute path in plain segments (see ABSOLUTE_PATH). */
export const DEB_FILE = whole(`${PLAIN_ABSOLUTE_PATH}\\.deb`);
/** A package name, or a .deb or .rpm file on the host to install from. */
export const PACKAGE_OR_FILE = whole(PACKAGE, `${PLAIN_ABSOLUTE_PATH}\\.(deb|rpm)`);
/**
 * A service: a systemd unit name (systemd.unit(5): letters, digits, `:-_.\` and `@` for
 * instances, here without `\` and `:`) or a SysV init script name.
 */
export const SERVICE_NAME = whole('[A-Za-z0-9_][A-Za-z0-9_.@+-]{0,254}');
