import type { Socket, TCPSocketListener } from "bun";

interface Link {
  upstream?: Socket<Link>;
  downstream?: Socket<Link>;
  pending: Uint8Array[];
}

/**
 * A TCP proxy on 127.0.0.1 that a test can cut (every connection dropped, new ones refused)
 * and restore on the same port, to play a database outage without touching the database.
 */
export function createTcpProxy(targetPort: number) {
  const sockets = new Set<Socket<Link>>();
  let listener: TCPSocketListener<Link> | undefined;
  let port = 0;
  let stallMs = 0;

  const listen = () => {
    listener = Bun.listen<Link>({
      hostname: "127.0.0.1",
      port,
      socket: {
        open(client) {
          client.data = { pending: [] };
          sockets.add(client);
          const connect = () =>
            Bun.connect<Link>({
              hostname: "127.0.0.1",
              port: targetPort,
              socket: {
                open(upstream) {
                  upstream.data = { downstream: client, pending: [] };
                  sockets.add(upstream);
                  client.data.upstream = upstream;
                  for (const chunk of client.data.pending.splice(0)) upstream.write(chunk);
                },
                data(upstream, chunk) {
                  upstream.data.downstream?.write(chunk);
                },
                close(upstream) {
                  upstream.data.downstream?.end();
                },
                error(upstream) {
                  upstream.data.downstream?.end();
                },
              },
            }).catch(() => client.end());
          if (stallMs === 0) void connect();
          else setTimeout(connect, stallMs);
        },
        data(client, chunk) {
          if (client.data.upstream) client.data.upstream.write(chunk);
          else client.data.pending.push(new Uint8Array(chunk));
        },
        close(client) {
          client.data.upstream?.end();
        },
      },
    });
    port = listener.port;
  };
  listen();

  return {
    get port() {
      return port;
    },
    /** New connections reach the database only after this long, as from a host slow to answer. */
    stall(ms: number) {
      stallMs = ms;
    },
    /** Drops every connection and refuses new ones. */
    cut() {
      listener?.stop(true);
      listener = undefined;
      for (const socket of sockets) socket.terminate();
      sockets.clear();
    },
    /** Listens again on the same port (nothing to do when it listens already). */
    restore() {
      if (listener === undefined) listen();
    },
    close() {
      this.cut();
    },
  };
}
