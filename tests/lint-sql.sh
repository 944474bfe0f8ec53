#!/usr/bin/env bash
# Fails when an SQL literal appears in a .c file of api/: a resource's SQL
# lives in its <name>_sql.h, the core's in core/core_sql.h, a job's in
# jobs/<job>_sql.h (issue #13).
#   tests/lint-sql.sh [ROOT]
#
# Each C string literal is read with the literals and macro names glued to it
# ("SELECT " WORKSHOP_SQL_JSON "::text ..." is one statement over several
# lines), comments and #include lines left out. A statement is SQL when it
#   - starts with a statement keyword followed by a blank or "(", in any case
#     (SELECT, INSERT, UPDATE, DELETE, WITH, CREATE, ALTER, DROP, SET, LOCK,
#     LISTEN, NOTIFY, TRUNCATE, COPY, VALUES, ...): "DELETE" alone, an HTTP
#     method, is not;
#   - is a bare transaction or maintenance command in capitals (BEGIN, COMMIT,
#     ROLLBACK, ANALYZE, VACUUM ...): "begin" in lower case, a label, is not;
#   - holds an SQL clause keyword in capitals between blanks (" FROM ",
#     " WHERE ", " AND ", " ON CONFLICT " ...), a placeholder ($1, $%d) or a
#     cast (::uuid).
#
# Exclusions (tests/lint-sql.exclude, one a line, # comments): "PATH" skips a
# whole file ("DIR/" a whole folder), "PATH REGEX" only the statements of PATH
# that REGEX (Perl) matches. Each says why; they are there until another
# branch lands, and none is meant to stay.
set -euo pipefail

root=${1:-$(cd "$(dirname "$0")/.." && pwd)}
cd "$root"
exclude=tests/lint-sql.exclude

find api -name '*.c' | sort | perl -e '
use strict;
use warnings;
my ($exclude) = @ARGV;
my (@skip, @only);
if (open my $fh, "<", $exclude) {
    while (<$fh>) {
        s/#.*//;
        s/^\s+|\s+$//g;
        next if $_ eq "";
        my ($path, $re) = split /\s+/, $_, 2;
        if (defined $re) { push @only, [$path, qr/$re/] } else { push @skip, $path }
    }
}
my $lead = qr/^\s*(?:SELECT|INSERT|UPDATE|DELETE|WITH|CREATE|ALTER|DROP|SET|RESET|LOCK|LISTEN|UNLISTEN|NOTIFY|TRUNCATE|COPY|VALUES|MERGE|GRANT|REVOKE|COMMENT\s+ON|EXPLAIN|PREPARE|EXECUTE|DEALLOCATE|DISCARD|DO|REFRESH|REINDEX|CLUSTER|SAVEPOINT|RELEASE|SHOW|CALL)[\s(]/i;
my $bare = qr/^\s*(?:BEGIN|COMMIT|ROLLBACK|ABORT|END|ANALYZE|VACUUM|CHECKPOINT)\s*;?\s*$/;
my $inner = qr/\s(?:FROM|WHERE|JOIN|AND|OR|NOT|IN|IS|AS|ON|SET|INTO|VALUES|RETURNING|UNION|EXISTS|CASE|WHEN|THEN|ELSE|END|LIMIT|OFFSET|HAVING|GROUP\s+BY|ORDER\s+BY|ON\s+CONFLICT|FOR\s+UPDATE|DO\s+NOTHING|INTERVAL)\s|\$(?:\d+|%d)|::[a-z_]/;
my $bad = 0;
while (my $file = <STDIN>) {
    chomp $file;
    next if grep { $file eq $_ || (m{/$} && index($file, $_) == 0) } @skip;
    open my $in, "<", $file or die "$file: $!";
    my $src = do { local $/; <$in> };
    # One token at a time: comments, #include lines, character and string
    # literals, identifiers between literals; anything else ends a statement.
    my ($text, $line, $glued) = ("", 0, 0);
    my $flush = sub {
        if ($glued && ($text =~ $lead || $text =~ $bare || $text =~ $inner)) {
            my $ok = grep { $_->[0] eq $file && $text =~ $_->[1] } @only;
            if (!$ok) {
                my $show = length $text > 100 ? substr($text, 0, 100) . "..." : $text;
                print "$file:$line: SQL literal outside an _sql.h file: \"$show\"\n";
                $bad++;
            }
        }
        ($text, $glued) = ("", 0);
    };
    while ($src =~ m{\G(?:(/\*.*?\*/)|(//[^\n]*)|(^[ \t]*\#[ \t]*include[^\n]*)|(\x27(?:\\.|[^\x27\\])*\x27)|("(?:\\.|[^"\\\n])*")|([A-Z_][A-Z0-9_]*)|(\s+|\\\n)|(.))}gcsm) {
        if (defined $5) {
            $line = 1 + (substr($src, 0, $-[0]) =~ tr/\n//) unless $glued;
            $text .= substr($5, 1, -1);
            $glued = 1;
        } elsif (defined $6 || defined $7 || defined $1 || defined $2) {
            $text .= " " if defined $6 && $glued; # a macro: its text stands between
        } else {
            $flush->();
        }
    }
    $flush->();
}
if ($bad) {
    print "lint-sql: $bad SQL literal(s): move them to the folder'\''s _sql.h (see tests/lint-sql.sh)\n";
    exit 1;
}
' "$exclude"
