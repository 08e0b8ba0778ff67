/*
 * notify.h - the alerts' sender: mails (sendmail_command) and the signed
 * webhook (notify_url) for the rows sa_save_verdicts() wrote to the outbox
 * (sql/005_event_codes_outbox.sql) with the verdicts that raised them.
 */
#ifndef SA_NOTIFY_H
#define SA_NOTIFY_H

struct notify_stats {
	unsigned long sent, failed;
};

/*
 * Sends every alert of the outbox not yet sent and not claimed by another
 * sender: claims a batch with a lease (verify_lease_s), delivers each row
 * (mail: the message on sendmail_command's standard input, delivered when
 * it exits 0; webhook: an HTTP POST through curl, delivered on a 2xx
 * answer), marks it sent, and releases a failed one for the next run.
 * Delivery is at least once: a sender that dies after the delivery and
 * before the mark leaves the row to be sent again once its lease ran out
 * (the mail keeps its Message-ID and the webhook its id, so the copy can
 * be recognized). 0, or -1 when the database failed.
 */
int notify_send(struct notify_stats *);

#endif
