# tests/lib/stack.sh - the whole product on loopback, for tests, benchmarks
# and `make run`. Sourced after tests/lib/common.sh. Everything lives below
# a directory of the caller's ($SA_DIR, default $T): a private PostgreSQL
# cluster, the configuration, the secrets, the FastCGI sockets and nginx.
# Every process is stopped by PID (sa_pidfile).
#
# The product's files come from the checkout and $BUILD unless these name
# others (the install test points them into a `make install` tree):
# SA_ADMIN (senderauth-admin), SA_SQL (the migrations), SA_CGI (the
# directory of the FastCGI binaries), SA_CONF (the configuration file the
# workers read).

SA_DIR=${SA_DIR:-$T}
SA_ACTIONS=${SA_ACTIONS:-"settings register delete log add-domain reissue check export"}
SA_FCGI_CHILDREN=${SA_FCGI_CHILDREN:-2}

# PostgreSQL refuses to run as root: use the postgres account then.
sa_as_pg() {
	if [ "$(id -u)" = 0 ]; then
		runuser -u postgres -- "$@"
	else
		"$@"
	fi
}

sa_pg_bin() {
	local d
	for d in /usr/lib/postgresql/*/bin; do :; done
	echo "$d"
}

sa_psql() {
	"$(sa_pg_bin)/psql" -X -q -v ON_ERROR_STOP=1 -h "$SA_DIR/pg" \
		-p "$SA_PG_PORT" -U postgres -d senderauth "$@"
}

# sa_pg_start: a cluster in $SA_DIR/pg (created when missing), on a free
# port, then the senderauth database with every migration applied.
sa_pg_start() {
	local bin
	bin=$(sa_pg_bin)
	SA_PG_PORT=${SA_PG_PORT:-$(sa_free_port)}
	mkdir -p "$SA_DIR/pg"
	[ "$(id -u)" = 0 ] && chown postgres "$SA_DIR/pg" && chmod 0700 "$SA_DIR/pg"
	if [ ! -f "$SA_DIR/pg/data/PG_VERSION" ]; then
		sa_as_pg "$bin/initdb" -D "$SA_DIR/pg/data" -U postgres \
			-A trust -E UTF8 --locale=C.UTF-8 >"$SA_DIR/pg/initdb.log" 2>&1 ||
			{ cat "$SA_DIR/pg/initdb.log"; return 1; }
		cat >>"$SA_DIR/pg/data/postgresql.conf" <<-CONF
			listen_addresses = ''
			unix_socket_directories = '$SA_DIR/pg'
			max_connections = 200
			shared_buffers = 128MB
			${SA_PG_FAST:+fsync = off}
			${SA_PG_FAST:+synchronous_commit = off}
			${SA_PG_FAST:+full_page_writes = off}
			${SA_PG_FAST:+wal_level = minimal}
			${SA_PG_FAST:+max_wal_senders = 0}
			${SA_PG_FAST:+max_wal_size = 4GB}
			${SA_PG_FAST:+checkpoint_timeout = 30min}
		CONF
	fi
	sa_pg_restart_only || return 1
	"$bin/psql" -X -q -h "$SA_DIR/pg" -p "$SA_PG_PORT" -U postgres -d postgres \
		-tAc "SELECT 1 FROM pg_database WHERE datname = 'senderauth'" | grep -q 1 ||
		"$bin/createdb" -h "$SA_DIR/pg" -p "$SA_PG_PORT" -U postgres senderauth
	sa_migrate
}

# Starts (or restarts) the server of the existing cluster on $SA_PG_PORT.
sa_pg_restart_only() {
	local bin
	bin=$(sa_pg_bin)
	sa_as_pg "$bin/pg_ctl" -D "$SA_DIR/pg/data" -l "$SA_DIR/pg/server.log" \
		-o "-p $SA_PG_PORT" -w -t 60 start >/dev/null || {
		cat "$SA_DIR/pg/server.log"
		return 1
	}
	head -1 "$SA_DIR/pg/data/postmaster.pid" >"$SA_DIR/pg.pid"
	sa_pidfile "$SA_DIR/pg.pid"
}

sa_pg_stop() {
	sa_as_pg "$(sa_pg_bin)/pg_ctl" -D "$SA_DIR/pg/data" -m fast -w stop >/dev/null
}

# sa_conninfo: the libpq connection string of the private cluster.
sa_conninfo() {
	echo "host=$SA_DIR/pg port=$SA_PG_PORT dbname=senderauth user=postgres"
}

# sa_admin ARGS...: senderauth-admin on the private cluster.
sa_admin() {
	"${SA_ADMIN:-$BUILD/senderauth-admin}" -d "$(sa_conninfo)" "$@"
}

# sa_migrate: the schema through the operator's command, as installed
# systems get it (`senderauth-admin migrate`), from the checkout's sql/.
sa_migrate() {
	sa_admin migrate --sql "${SA_SQL:-$SA_TOP/sql}" >>"$SA_DIR/migrate.log" 2>&1 ||
		{ cat "$SA_DIR/migrate.log"; return 1; }
}

# sa_secrets: the master and session key files, created 0600 when missing.
sa_secrets() {
	local f
	for f in master.key session.key; do
		if [ ! -f "$SA_DIR/$f" ]; then
			(umask 077 && head -c 32 /dev/urandom >"$SA_DIR/$f")
		fi
	done
}

# sa_config [extra lines...]: writes $SA_DIR/senderauth.conf.
sa_config() {
	sa_secrets
	{
		echo "# written by tests/lib/stack.sh"
		echo "database = $(sa_conninfo)"
		echo "master_key_file = $SA_DIR/master.key"
		echo "session_key_file = $SA_DIR/session.key"
		local l
		for l in "$@"; do echo "$l"; done
	} >"$SA_DIR/senderauth.conf"
	export SENDERAUTH_CONFIG=$SA_DIR/senderauth.conf
}

# sa_fcgi_start: every action on its unix socket (mode 0660: nginx runs as
# the same user, or as root), $SA_FCGI_CHILDREN workers under multiwatch,
# which forks a new one when a worker dies. spawn-fcgi -n execs multiwatch
# in place, so the PID in fcgi-ACTION.pid is multiwatch's; the workers'
# stderr (and the sanitizers' reports) go to log/ACTION.log. Each action
# runs in a session of its own (setsid, in place: a background job here
# leads no process group), as under systemd (dist/senderauth@.service):
# in the caller's session the workers would share one scheduler autogroup
# with the caller and its load generator (wrk), and the kernel would
# split the CPU unlike it does in production (the API benchmark lost 15%,
# nginx switched context twice as often).
sa_fcgi_start() {
	local a cgi=${SA_CGI:-$BUILD/cgi-bin}
	mkdir -p "$SA_DIR/sock" "$SA_DIR/log"
	for a in $SA_ACTIONS; do
		[ -x "$cgi/$a" ] || continue
		rm -f "$SA_DIR/sock/$a.sock"
		SENDERAUTH_CONFIG=${SA_CONF:-$SA_DIR/senderauth.conf} setsid spawn-fcgi -n \
			-s "$SA_DIR/sock/$a.sock" -M 0660 -- \
			/usr/bin/multiwatch -f "$SA_FCGI_CHILDREN" -- "$cgi/$a" \
			</dev/null >>"$SA_DIR/log/$a.log" 2>&1 &
		echo $! >"$SA_DIR/fcgi-$a.pid"
		sa_pidfile "$SA_DIR/fcgi-$a.pid"
	done
	[ -n "${SA_FCGI_HOOKED:-}" ] || sa_at_exit sa_fcgi_stop
	SA_FCGI_HOOKED=1
	for a in $SA_ACTIONS; do
		[ -x "$cgi/$a" ] || continue
		sa_wait_for 10 test -S "$SA_DIR/sock/$a.sock" ||
			{ cat "$SA_DIR/log/$a.log"; return 1; }
	done
}

# sa_fcgi_workers ACTION: the PIDs of the action's workers (the children
# of its multiwatch).
sa_fcgi_workers() {
	local pid
	pid=$(cat "$SA_DIR/fcgi-$1.pid" 2>/dev/null) || return 1
	cat /proc/"$pid"/task/*/children 2>/dev/null
}

# sa_fcgi_stop: TERM to each multiwatch, which asks its workers to finish
# (USR1) and exits after them; whatever still runs after 5 s, multiwatch
# or worker, is killed by PID.
sa_fcgi_stop() {
	local a pid pids=() n alive
	for a in $SA_ACTIONS; do
		[ -f "$SA_DIR/fcgi-$a.pid" ] || continue
		pid=$(cat "$SA_DIR/fcgi-$a.pid")
		pids+=("$pid" $(sa_fcgi_workers "$a"))
		kill "$pid" 2>/dev/null
		rm -f "$SA_DIR/fcgi-$a.pid"
	done
	for ((n = 0; n < 50; n++)); do
		alive=0
		for pid in "${pids[@]}"; do
			sa_running "$pid" && alive=1
		done
		[ $alive = 0 ] && return 0
		sleep 0.1
	done
	for pid in "${pids[@]}"; do kill -9 "$pid" 2>/dev/null; done
	return 0
}

# sa_nginx_start: nginx with the XSLT filter on a free port ($SA_HTTP_PORT).
sa_nginx_start() {
	local f
	SA_HTTP_PORT=${SA_HTTP_PORT:-$(sa_free_port)}
	mkdir -p "$SA_DIR/nginx"
	cp /etc/nginx/fastcgi_params "$SA_DIR/nginx/"
	sed -e "s#@DIR@#$SA_DIR#g" -e "s#@TOP@#$SA_TOP#g" \
		-e "s#@PORT@#$SA_HTTP_PORT#g" -e "s#@XSL@#${SA_XSL:-$SA_TOP/xsl}#g" \
		-e "s#@USER@#$([ "$(id -u)" = 0 ] && echo 'user root root;')#" \
		"$SA_TOP/nginx/dev.conf.in" >"$SA_DIR/nginx/nginx.conf"
	for f in senderauth senderauth-maps; do
		sed -e "s#@SOCK@#$SA_DIR/sock#g" -e "s#@XSL@#${SA_XSL:-$SA_TOP/xsl}#g" \
			"$SA_TOP/nginx/$f.conf.in" >"$SA_DIR/nginx/$f.conf"
	done
	nginx -p "$SA_DIR/nginx" -c "$SA_DIR/nginx/nginx.conf" -t \
		>"$SA_DIR/nginx/test.log" 2>&1 || { cat "$SA_DIR/nginx/test.log"; return 1; }
	nginx -p "$SA_DIR/nginx" -c "$SA_DIR/nginx/nginx.conf" || return 1
	sa_wait_for 10 test -s "$SA_DIR/nginx/nginx.pid" || return 1
	sa_pidfile "$SA_DIR/nginx/nginx.pid"
	SA_URL=http://127.0.0.1:$SA_HTTP_PORT
	sa_wait_for 10 curl -s -o /dev/null "$SA_URL/"
}

# sa_nginx_installed ROOT NAME [SERVER-LINES]: nginx in $SA_DIR/NAME on a
# free port, set up the way Debian's nginx.conf uses the files `make
# install PREFIX=/usr DESTDIR=ROOT` wrote: the maps of conf.d/ in http,
# the snippet in a server after SERVER-LINES; their installed paths point
# into ROOT and their sockets into $SA_DIR/sock. Sets SA_URL.
sa_nginx_installed() {
	local root=$1 d=$SA_DIR/$2 f
	mkdir -p "$d"
	for f in snippets/senderauth.conf conf.d/senderauth-maps.conf; do
		sed -e "s#/usr/share/senderauth/#$root/usr/share/senderauth/#g" \
			-e "s#unix:/run/senderauth/#unix:$SA_DIR/sock/#g" \
			"$root/etc/nginx/$f" >"$d/$(basename "$f")"
	done
	cp /etc/nginx/fastcgi_params "$d/"
	SA_URL=http://127.0.0.1:$(sa_free_port)
	cat >"$d/nginx.conf" <<-EOF
		load_module /usr/lib/nginx/modules/ngx_http_xslt_filter_module.so;
		$([ "$(id -u)" = 0 ] && echo 'user root root;')
		pid $d/nginx.pid;
		error_log $d/error.log;
		events {}
		http {
			access_log off;
			client_body_temp_path $d/body;
			fastcgi_temp_path $d/fastcgi;
			proxy_temp_path $d/proxy;
			uwsgi_temp_path $d/uwsgi;
			scgi_temp_path $d/scgi;
			include $d/senderauth-maps.conf;
			server {
				listen ${SA_URL#http://};
				${3:-}
				include $d/senderauth.conf;
			}
		}
	EOF
	nginx -q -t -p "$d" -c "$d/nginx.conf" >"$d/t.log" 2>&1 || { cat "$d/t.log"; return 1; }
	nginx -p "$d" -c "$d/nginx.conf" || return 1
	sa_wait_for 10 test -s "$d/nginx.pid" || return 1
	sa_pidfile "$d/nginx.pid"
	sa_wait_for 10 curl -s -o /dev/null "$SA_URL/"
}

# sa_org NAME: creates an organization (senderauth-admin org add), prints
# its id.
sa_org() {
	sa_admin org add "$1"
}
# sa_account ORG NAME: creates an account (senderauth-admin account add),
# prints its id.
sa_account() {
	sa_admin account add "$1" "$2"
}
# sa_mint ACCOUNT ORG [TTL]: a session cookie value.
sa_mint() {
	"$BUILD/mint-session" "$SA_DIR/session.key" "$1" "$2" "${3:-3600}"
}

# sa_stack_start: PostgreSQL, configuration, FastCGI and nginx.
sa_stack_start() {
	sa_pg_start && sa_config "$@" && sa_fcgi_start && sa_nginx_start
}
