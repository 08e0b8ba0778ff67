/*
 * banned.h - functions that must not be used in senderauth.
 *
 * Included last by every C file of the project (through lib/common.h).
 * Unbounded string copies and non-reentrant time conversions are replaced by
 * snprintf with a truncation check and gmtime_r / localtime_r.
 */
#ifndef SA_BANNED_H
#define SA_BANNED_H

#define BANNED(func) sorry_##func##_is_a_banned_function

#undef strcpy
#define strcpy(x, y) BANNED(strcpy)
#undef strcat
#define strcat(x, y) BANNED(strcat)
#undef strncpy
#define strncpy(x, y, n) BANNED(strncpy)
#undef sprintf
#define sprintf(...) BANNED(sprintf)
#undef vsprintf
#define vsprintf(...) BANNED(vsprintf)
#undef strtok
#define strtok(x, y) BANNED(strtok)
#undef gmtime
#define gmtime(t) BANNED(gmtime)
#undef localtime
#define localtime(t) BANNED(localtime)
#undef gets
#define gets(x) BANNED(gets)

#endif
