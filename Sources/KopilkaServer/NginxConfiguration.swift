/// nginx in front of several `kopilka serve` processes on one PostgreSQL, as docs/scaling.md describes it: round
/// robin over the processes, the client's address forwarded (for `--trusted-proxy`), and a request to a process that
/// died sent to the next — POSTs too, since a till's `Idempotency-Key` makes a repeated commit answer as the first.
/// The cluster test and the cluster benchmark run nginx with it.
public enum NginxConfiguration {
    /// A whole `nginx.conf` listening on `127.0.0.1:port` in front of `upstreams` (`127.0.0.1:8081`…), with its pid,
    /// log and temporary files in `folder`.
    public static func text(upstreams: [String], port: Int, folder: String, workers: Int = 1) -> String {
        """
        worker_processes \(workers);
        pid \(folder)/nginx.pid;
        error_log \(folder)/error.log warn;
        events { worker_connections 4096; }
        http {
            access_log off;
            client_body_temp_path \(folder)/body;
            proxy_temp_path \(folder)/proxy;
            fastcgi_temp_path \(folder)/fastcgi;
            uwsgi_temp_path \(folder)/uwsgi;
            scgi_temp_path \(folder)/scgi;
            upstream kopilka {
        \(upstreams.map { "        server \($0) max_fails=1 fail_timeout=2s;" }.joined(separator: "\n"))
                keepalive 64;
            }
            server {
                listen 127.0.0.1:\(port);
                location / {
                    proxy_pass http://kopilka;
                    proxy_http_version 1.1;
                    proxy_set_header Connection "";
                    proxy_set_header Host $host;
                    proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
                    proxy_set_header X-Forwarded-Proto $scheme;
                    proxy_next_upstream error timeout http_502 http_503 non_idempotent;
                }
            }
        }
        """
    }
}
