/**
 * nginx.conf of the recipe site: a complete file (not a conf.d snippet) whose pid, log and temp
 * paths are parameters, so a test can run `nginx -t -c` on it without root or /var/log.
 */

export interface RecipeNginxOptions {
  readonly header: readonly string[];
  readonly serverName: string;
  /** Address the Go app listens on. */
  readonly upstream: string;
  /** Traefik's address: the only proxy whose X-Forwarded-For is trusted. */
  readonly trustedProxy: string;
  readonly listenPort: number;
  /** Static files the app ships (CSS, JS, images). */
  readonly staticRoot: string;
  readonly pidFile: string;
  readonly errorLog: string;
  readonly accessLog: string;
  /** Directory for client body, proxy, fastcgi, uwsgi and scgi temp files and the proxy cache. */
  readonly tempDir: string;
  readonly mimeTypes: string;
  /** `user` directive; omit when not started as root (a test). @default - none */
  readonly user?: string;
}

export function recipeNginxConf(o: RecipeNginxOptions): string {
  return `${o.header.map((l) => `# ${l}`).join('\n')}
${o.user ? `user ${o.user};\n` : ''}worker_processes auto;
pid ${o.pidFile};
error_log ${o.errorLog} warn;

events {
    worker_connections 512;
}

http {
    include ${o.mimeTypes};
    default_type application/octet-stream;
    sendfile on;
    tcp_nopush on;
    server_tokens off;
    keepalive_timeout 65;

    access_log ${o.accessLog};
    client_body_temp_path ${o.tempDir}/client_body;
    proxy_temp_path ${o.tempDir}/proxy;
    fastcgi_temp_path ${o.tempDir}/fastcgi;
    uwsgi_temp_path ${o.tempDir}/uwsgi;
    scgi_temp_path ${o.tempDir}/scgi;

    # Traefik terminates TLS and forwards the client address.
    set_real_ip_from ${o.trustedProxy};
    real_ip_header X-Forwarded-For;

    gzip on;
    gzip_vary on;
    gzip_proxied any;
    gzip_min_length 1024;
    gzip_types text/plain text/css application/javascript application/json image/svg+xml application/xml;

    # Read-only pages: a short cache absorbs bursts without the app's help.
    proxy_cache_path ${o.tempDir}/cache levels=1:2 keys_zone=recipes:10m max_size=256m inactive=60m use_temp_path=off;

    upstream recipe_app {
        server ${o.upstream};
        keepalive 8;
    }

    server {
        listen ${o.listenPort};
        server_name ${o.serverName};

        location /static/ {
            alias ${o.staticRoot}/;
            expires 7d;
            add_header Cache-Control "public, immutable";
            access_log off;
        }

        location = /healthz {
            proxy_pass http://recipe_app;
            access_log off;
        }

        location / {
            proxy_pass http://recipe_app;
            proxy_http_version 1.1;
            proxy_set_header Connection "";
            proxy_set_header Host $host;
            proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
            proxy_set_header X-Forwarded-Proto https;
            proxy_cache recipes;
            proxy_cache_valid 200 301 5m;
            proxy_cache_methods GET HEAD;
            proxy_cache_use_stale error timeout updating http_500 http_502 http_503;
            add_header X-Cache-Status $upstream_cache_status;
            limit_except GET HEAD { deny all; }
        }
    }
}
`;
}
