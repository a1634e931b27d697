import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import {
  chmodSync,
  chownSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { connect } from 'node:net';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { waitFor } from '@soc/testing';
import { freePort } from './app-process';

/**
 * Real mail servers from Debian's packages for the mail specs, each in a throwaway directory
 * on 127.0.0.1 high ports with a certificate made for the run: dovecot (dovecot-imapd,
 * dovecot-pop3d, dovecot-lmtpd) serves IMAP and POP3, each with STARTTLS (STLS) and implicit
 * TLS, and takes deliveries over LMTP
 * into Maildirs; Postfix (postfix) takes SMTP with STARTTLS and hands every message for
 * `soc.test` to dovecot's LMTP. Any user name logs in with MAIL_PASSWORD. Postfix needs root
 * (CI and the dev container run as root); dovecot runs unprivileged too.
 */
export const MAIL_PASSWORD = 'spec-mail-password';
export const MAIL_DOMAIN = 'soc.test';

export interface MailServers {
  readonly dir: string;
  /** PEM of the self-signed certificate both servers present (CN localhost, IP 127.0.0.1). */
  readonly caFile: string;
  readonly imapPort: number;
  readonly imapsPort: number;
  /** POP3 with STLS, and POP3 over implicit TLS. */
  readonly pop3Port: number;
  readonly pop3sPort: number;
  readonly lmtpPort: number;
  /** Null when started without SMTP. */
  readonly smtpPort: number | null;
  readonly stop: () => Promise<void>;
}

const isRoot = () => process.getuid?.() === 0;

function makeCertificate(dir: string): { cert: string; key: string } {
  const cert = join(dir, 'cert.pem');
  const key = join(dir, 'key.pem');
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-days',
      '1',
      '-keyout',
      key,
      '-out',
      cert,
      '-subj',
      '/CN=localhost',
      '-addext',
      'subjectAltName=IP:127.0.0.1,DNS:localhost',
    ],
    { stdio: 'ignore' },
  );
  return { cert, key };
}

function dovecotConfig(o: {
  dir: string;
  cert: string;
  key: string;
  imap: number;
  imaps: number;
  pop3: number;
  pop3s: number;
  lmtp: number;
}): string {
  // As root the mail processes run as nobody; unprivileged, everything runs as the caller.
  const me = userInfo().username;
  const [mailUser, mailGroup] = isRoot() ? ['nobody', 'nogroup'] : [me, me];
  return `
base_dir = ${o.dir}/run
state_dir = ${o.dir}/state
log_path = ${o.dir}/dovecot.log
protocols = imap pop3 lmtp
listen = 127.0.0.1
ssl = required
ssl_cert = <${o.cert}
ssl_key = <${o.key}
auth_mechanisms = plain login
first_valid_uid = 1
mail_location = maildir:${o.dir}/mail/%n
default_internal_user = ${isRoot() ? 'dovecot' : me}
default_login_user = ${isRoot() ? 'dovenull' : me}
passdb {
  driver = static
  args = password=${MAIL_PASSWORD}
}
userdb {
  driver = static
  args = uid=${mailUser} gid=${mailGroup} home=${o.dir}/mail/%n
}
service imap-login {
  inet_listener imap {
    port = ${o.imap}
  }
  inet_listener imaps {
    port = ${o.imaps}
    ssl = yes
  }
}
service pop3-login {
  inet_listener pop3 {
    port = ${o.pop3}
  }
  inet_listener pop3s {
    port = ${o.pop3s}
    ssl = yes
  }
}
service lmtp {
  inet_listener lmtp {
    address = 127.0.0.1
    port = ${o.lmtp}
  }
}
protocol lmtp {
  ssl = no
}
namespace inbox {
  inbox = yes
  separator = /
}
`;
}

const POSTFIX_SERVICES = [
  'pickup unix n - n 60 1 pickup',
  'cleanup unix n - n - 0 cleanup',
  'qmgr unix n - n 300 1 qmgr',
  'tlsmgr unix - - n 1000? 1 tlsmgr',
  'rewrite unix - - n - - trivial-rewrite',
  'bounce unix - - n - 0 bounce',
  'defer unix - - n - 0 bounce',
  'trace unix - - n - 0 bounce',
  'verify unix - - n - 1 verify',
  'flush unix n - n 1000? 0 flush',
  'proxymap unix - - n - - proxymap',
  'smtp unix - - n - - smtp',
  'relay unix - - n - - smtp',
  'showq unix n - n - - showq',
  'error unix - - n - - error',
  'retry unix - - n - - error',
  'discard unix - - n - - discard',
  'lmtp unix - - n - - lmtp',
  'anvil unix - - n - 1 anvil',
  'scache unix - - n - 1 scache',
  'postlog unix-dgram n - n - 1 postlogd',
];

function postfixConfig(o: { dir: string; cert: string; key: string; smtp: number; lmtp: number }) {
  return {
    main: `
compatibility_level = 3.6
queue_directory = ${o.dir}/queue
data_directory = ${o.dir}/data
mail_owner = postfix
setgid_group = postdrop
myhostname = localhost
mydestination =
inet_interfaces = 127.0.0.1
inet_protocols = ipv4
mynetworks = 127.0.0.0/8
alias_maps =
alias_database =
local_recipient_maps =
virtual_mailbox_domains = ${MAIL_DOMAIN}
virtual_mailbox_maps = static:ok
virtual_transport = lmtp:inet:127.0.0.1:${o.lmtp}
smtpd_tls_cert_file = ${o.cert}
smtpd_tls_key_file = ${o.key}
smtpd_tls_security_level = may
smtpd_relay_restrictions = permit_mynetworks, reject_unauth_destination
`,
    master: [`127.0.0.1:${o.smtp} inet n - n - - smtpd`, ...POSTFIX_SERVICES].join('\n') + '\n',
  };
}

const answers = (port: number) =>
  new Promise<boolean>((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });

export async function startMailServers({
  smtp = false,
}: { readonly smtp?: boolean } = {}): Promise<MailServers> {
  const dir = mkdtempSync(join(tmpdir(), 'soc-mail-'));
  // The mail processes run as other users: they must reach into the directory.
  chmodSync(dir, 0o755);
  for (const sub of ['run', 'state', 'mail', 'postfix/queue', 'postfix/data'])
    mkdirSync(join(dir, sub), { recursive: true });
  if (isRoot()) {
    chownSync(join(dir, 'mail'), 65534, 65534);
    const postfixUid = Number(execFileSync('id', ['-u', 'postfix']).toString().trim());
    chownSync(join(dir, 'postfix', 'data'), postfixUid, 0);
  }
  const { cert, key } = makeCertificate(dir);
  const { dovecot, ports } = await startDovecot({ dir, cert, key });
  const { imap, imaps, pop3, pop3s, lmtp } = ports;

  const stopDovecot = async () => {
    if (dovecot.exitCode !== null || dovecot.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => dovecot.once('exit', () => resolve()));
    dovecot.kill('SIGTERM');
    await exited;
  };
  let smtpPort: number | null = null;
  const postfixDir = join(dir, 'postfix');
  if (smtp) {
    smtpPort = await freePort();
    const config = postfixConfig({ dir: postfixDir, cert, key, smtp: smtpPort, lmtp });
    writeFileSync(join(postfixDir, 'main.cf'), config.main);
    writeFileSync(join(postfixDir, 'master.cf'), config.master);
    const port = smtpPort;
    try {
      // Postfix logs to syslog: a failed start says only its exit code here.
      execFileSync('/usr/sbin/postfix', ['-c', postfixDir, 'start'], { stdio: 'pipe' });
      await waitFor(() => answers(port), { timeoutMs: 20_000, describe: `postfix on ${port}` });
    } catch (error) {
      await stopDovecot();
      throw error;
    }
  }

  return {
    dir,
    caFile: cert,
    imapPort: imap,
    imapsPort: imaps,
    pop3Port: pop3,
    pop3sPort: pop3s,
    lmtpPort: lmtp,
    smtpPort,
    stop: async () => {
      if (smtp) {
        execFileSync('/usr/sbin/postfix', ['-c', postfixDir, 'stop'], { stdio: 'ignore' });
        await waitFor(async () => !(await answers(smtpPort as number)), {
          timeoutMs: 20_000,
          describe: 'postfix to stop',
        });
      }
      await stopDovecot();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

interface DovecotPorts {
  readonly imap: number;
  readonly imaps: number;
  readonly pop3: number;
  readonly pop3s: number;
  readonly lmtp: number;
}

const DOVECOT_ATTEMPTS = 3;

/**
 * A free port can be taken by another suite between `freePort` and dovecot's bind; dovecot
 * then exits at once. That start is retried on new ports; a dovecot that runs but does not
 * answer fails with what it logged.
 */
async function startDovecot({
  dir,
  cert,
  key,
}: {
  readonly dir: string;
  readonly cert: string;
  readonly key: string;
}): Promise<{ readonly dovecot: ChildProcess; readonly ports: DovecotPorts }> {
  for (let attempt = 1; ; attempt += 1) {
    const ports: DovecotPorts = {
      imap: await freePort(),
      imaps: await freePort(),
      pop3: await freePort(),
      pop3s: await freePort(),
      lmtp: await freePort(),
    };
    writeFileSync(join(dir, 'dovecot.conf'), dovecotConfig({ dir, cert, key, ...ports }));
    const output: string[] = [];
    const dovecot = spawn('/usr/sbin/dovecot', ['-F', '-c', join(dir, 'dovecot.conf')], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    dovecot.stdout?.on('data', (chunk: Buffer) => output.push(chunk.toString()));
    dovecot.stderr?.on('data', (chunk: Buffer) => output.push(chunk.toString()));
    const exited = () => dovecot.exitCode !== null || dovecot.signalCode !== null;
    const log = () => `${output.join('')}\n${readLog(join(dir, 'dovecot.log'))}`;
    const { imaps, pop3s, lmtp } = ports;
    const ready = await waitFor(
      async () =>
        exited()
          ? 'exited'
          : (await answers(imaps)) && (await answers(pop3s)) && (await answers(lmtp)) && 'ready',
      {
        timeoutMs: 60_000,
        describe: () => `dovecot on ${imaps}, ${pop3s} and ${lmtp}; log:\n${log()}`,
      },
    ).catch(async (error: unknown) => {
      dovecot.kill('SIGKILL');
      throw error;
    });
    if (ready === 'ready') return { dovecot, ports };
    if (attempt === DOVECOT_ATTEMPTS)
      throw new Error(
        `dovecot exited (${dovecot.exitCode ?? dovecot.signalCode}) at start ${attempt} times; log:\n${log()}`,
      );
  }
}

function readLog(path: string): string {
  try {
    return readFileSync(path, 'utf8').slice(-4000);
  } catch {
    return '(no log)';
  }
}
