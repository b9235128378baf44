import { hostname, userInfo } from 'node:os';
import { operatorFlag, UsageError, type CliOperator } from './command.js';

/** A passwd name recorded as is: a portable login name (POSIX, plus Samba's trailing `$`). */
const LOGIN_NAME = /^[A-Za-z0-9_][A-Za-z0-9._-]{0,31}\$?$/;
/** A host name recorded as is (Linux caps it at 64 bytes). */
const HOST_NAME = /^[A-Za-z0-9][A-Za-z0-9.-]{0,63}$/;

/** The account a command runs under: the process's uid, the passwd database's name for it, the host. */
export interface HostAccount {
  readonly uid: number;
  /** Undefined when the passwd database has no entry for the uid (a container's arbitrary uid). */
  readonly userName: string | undefined;
  readonly hostName: string;
}

/**
 * This process's account. `USER` is not read: it is unset under cron and in containers, and set
 * to anything by anyone; `os.userInfo()` resolves the uid through the passwd database, and throws
 * when no entry holds it.
 */
export function processAccount(): HostAccount {
  let userName: string | undefined;
  try {
    userName = userInfo().username;
  } catch {
    userName = undefined;
  }
  return { uid: process.getuid?.() ?? -1, userName, hostName: hostname() };
}

/**
 * Who runs a state-changing command: `cli:<user>@<host>`, `<user>` being the uid's passwd name,
 * else `#<uid>`; `;operator=<name>` follows when `--operator` names the person at the console.
 * A passwd or host name outside the portable characters is not recorded (`#<uid>`, `unnamed-host`):
 * the audit log holds no text the system did not check.
 *
 * @throws UsageError in production when the uid names no user and no operator is named: the
 *   audit log would name nobody
 * @example const { actor } = operatorIdentity(processAccount(), { operator: values.operator, production: true });
 */
export function operatorIdentity(account: HostAccount, o: { operator: string | undefined; production: boolean }): CliOperator {
  const operator = operatorFlag(o.operator);
  const user = account.userName !== undefined && LOGIN_NAME.test(account.userName) ? account.userName : undefined;
  if (user === undefined && operator === undefined && o.production) {
    throw new UsageError(`Refused: uid ${account.uid} is no user of this host, and production records who changes anything: name yourself with --operator NAME.`);
  }
  const host = HOST_NAME.test(account.hostName) ? account.hostName : 'unnamed-host';
  const id = `${user ?? `#${account.uid}`}@${host}${operator === undefined ? '' : `;operator=${operator}`}`;
  return { user: id, actor: { type: 'user', id: `cli:${id}` } };
}
