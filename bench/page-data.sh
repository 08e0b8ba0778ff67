# The page bench/web.sh and bench/web-ab.sh measure, sourced after a
# checkout's tests/lib/stack.sh has started its stack (sa_org, sa_account,
# sa_psql and sa_mint come from there): an organization, an account and
# 20 sender addresses, no domain. bench_page_data prints a session cookie
# for the account.
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
