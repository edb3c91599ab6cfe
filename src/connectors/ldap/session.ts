// One bound LDAP connection, kept and shared by every operation of a connector. Binding is done once
// (concurrent callers wait for the same bind); a connection that dropped is replaced and the operation
// retried once, so a directory restart between two operations is invisible to callers.
import * as net from 'node:net';
import * as tls from 'node:tls';
import { Client } from 'ldapts';
import { ConnectionLostError, isConnectionFailure } from './errors.ts';

export interface LdapSessionOptions {
  readonly url: string;
  readonly startTls: boolean;
  /** PEM text of the CA (already read), the name expected in the certificate, and whether to verify it. */
  readonly tls: { readonly ca?: string; readonly serverName?: string; readonly rejectUnauthorized: boolean };
  readonly bindDn: string;
  readonly bindPassword: string;
  readonly timeoutMs: number;
}

export interface LdapSession {
  /** Runs `op` on a bound client; on a dropped connection, reconnects once and runs it again. */
  run<T>(op: (client: Client) => Promise<T>): Promise<T>;
  /** Unbinds and closes the connection; the session can still be used afterwards (it reconnects). */
  close(): Promise<void>;
}

/** An ldapts client plus what we know about its connection that ldapts does not track reliably. */
interface Connection {
  readonly client: Client;
  /** Every socket of this connection (the TCP socket, and the TLS socket over it after StartTLS). */
  readonly sockets: net.Socket[];
  /**
   * False once any of them closed. ldapts' own `isConnected` stays true forever after StartTLS when the
   * server goes away (it watches the replaced socket), so operations would wait for their timeout.
   */
  alive: boolean;
}

function hostOf(url: string): string {
  const host = new URL(url).hostname;
  return host.startsWith('[') ? host.slice(1, -1) : host;
}

export function createLdapSession(options: LdapSessionOptions): LdapSession {
  const host = hostOf(options.url);
  const secure = options.url.startsWith('ldaps:');
  const tlsOptions: tls.ConnectionOptions = {
    rejectUnauthorized: options.tls.rejectUnauthorized,
    minVersion: 'TLSv1.2',
    ...(options.tls.ca !== undefined ? { ca: options.tls.ca } : {}),
    // The name checked against the certificate. SNI only accepts host names, not IP addresses; for an IP
    // the certificate is checked against the IP (Node falls back to `host`).
    ...(options.tls.serverName !== undefined ? { servername: options.tls.serverName } : net.isIP(host) ? {} : { servername: host }),
  };

  let current: Connection | undefined;
  let connecting: Promise<Connection> | undefined;

  /**
   * A client that may open exactly one connection. ldapts silently reconnects a dropped socket on the
   * next operation *without binding again* (and never re-does StartTLS), so an operation would run as
   * anonymous. Refusing the second connection turns that into a ConnectionLostError, which `run` handles
   * by building a new, properly bound connection.
   */
  const newConnection = (): Connection => {
    const sockets: net.Socket[] = [];
    let opened = 0;
    const track = <S extends net.Socket>(socket: S): S => {
      sockets.push(socket);
      socket.once('close', () => {
        conn.alive = false;
      });
      return socket;
    };
    const open = (): void => {
      opened += 1;
      if (opened > 1) throw new ConnectionLostError();
    };
    const createConnection = ((...args: Parameters<typeof net.connect>) => {
      open();
      return track(net.connect(...args));
    }) as typeof net.connect;
    const createSecureConnection = ((...args: Parameters<typeof tls.connect>) => {
      // ldapts also calls this to upgrade the socket for StartTLS (options with `socket`): not a new connection.
      const upgrade = typeof args[0] === 'object' && args[0] !== null && 'socket' in args[0];
      if (!upgrade) open();
      return track(tls.connect(...args));
    }) as typeof tls.connect;
    const client = new Client({
      url: options.url,
      timeout: options.timeoutMs,
      connectTimeout: options.timeoutMs,
      ...(secure ? { tlsOptions } : {}),
      createConnection,
      createSecureConnection,
    });
    const conn: Connection = { client, sockets, alive: true };
    return conn;
  };

  /** Says goodbye politely when the connection is up, then makes sure every socket is gone. */
  const end = async (conn: Connection): Promise<void> => {
    if (conn.alive && conn.client.isConnected) {
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([
        conn.client.unbind().catch(() => undefined),
        new Promise((resolve) => {
          timer = setTimeout(resolve, Math.min(options.timeoutMs, 1000));
        }),
      ]);
      clearTimeout(timer);
    }
    conn.alive = false;
    for (const socket of conn.sockets) socket.destroy();
  };

  const connect = async (): Promise<Connection> => {
    const conn = newConnection();
    let timer: NodeJS.Timeout | undefined;
    const setup = async (): Promise<void> => {
      if (options.startTls) await conn.client.startTLS({ ...tlsOptions, host });
      await conn.client.bind(options.bindDn, options.bindPassword);
    };
    try {
      // ldapts times out the TCP connect and each request, not the TLS handshake of StartTLS: bound the whole setup.
      await Promise.race([
        setup(),
        new Promise<never>((_, reject) => {
          timer = setTimeout(() => reject(new Error('LDAP setup timed out')), options.timeoutMs);
        }),
      ]);
    } catch (err) {
      await end(conn);
      throw err;
    } finally {
      clearTimeout(timer);
    }
    return conn;
  };

  const usable = (conn: Connection | undefined): conn is Connection => conn !== undefined && conn.alive && conn.client.isBound;

  const bound = async (): Promise<Connection> => {
    if (usable(current)) return current;
    if (current) {
      void end(current);
      current = undefined;
    }
    connecting ??= connect()
      .then((conn) => {
        current = conn;
        return conn;
      })
      .finally(() => {
        connecting = undefined;
      });
    return await connecting;
  };

  return {
    run: async (op) => {
      const conn = await bound();
      try {
        return await op(conn.client);
      } catch (err) {
        if (!isConnectionFailure(err)) throw err;
        if (current === conn) current = undefined;
        void end(conn);
        return await op((await bound()).client);
      }
    },
    close: async () => {
      await connecting?.catch(() => undefined);
      const conn = current;
      current = undefined;
      if (conn) await end(conn);
    },
  };
}
