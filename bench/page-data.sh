# The page bench/web.sh and bench/web-ab.sh measure, sourced after a
# checkout's tests/lib/stack.sh has started its stack (sa_org, sa_account,
# sa_psql and sa_mint come from there): an organization, an account and
# 20 sender addresses, no domain. bench_page_data prints a session cookie
# for the account; bench_static_copies COOKIE writes that page's XML and
# HTML under $SA_DIR/static-bench/, which nginx/dev.conf.in serves as
# /static-bench/ (as files) and /static-bench-xslt/ (the XML through
# page.xsl: the XSLT filter alone, no FastCGI and no PostgreSQL).
bench_page_data() {
	local org acct i
	org=$(sa_org "株式会社〇〇〇〇")
	acct=$(sa_account "$org" "山田 太郎")
	for i in $(seq 1 20); do
		sa_psql -c "INSERT INTO sender_addresses (org_id, account_id, address,
			addr_key, smtp_host, note) VALUES ($org, $acct,
			'user$i@example.jp', 'user$i@example.jp', 'smtp.example.jp',
			'営業部 $i')" >/dev/null
	done
	sa_mint "$acct" "$org" 36000
}
bench_static_copies() {
	mkdir -p "$SA_DIR/static-bench"
	curl -s -b "sa_session=$1" "$SA_URL/mail-settings/api/" |
		sed 's#base="/mail-settings/api/"#base="/mail-settings/"#' >"$SA_DIR/static-bench/page.xml"
	curl -s -b "sa_session=$1" "$SA_URL/mail-settings/" >"$SA_DIR/static-bench/page.html"
	grep -q "user20@example.jp" "$SA_DIR/static-bench/page.html"
}
