#!/usr/bin/env perl
# mutate.pl: reads mutants.txt (format in its header) and
#   mutate.pl list  MUTANTS            prints ID FILE EQUIVALENT-REASON (tab-separated)
#   mutate.pl check MUTANTS TREE       prints ID FILE STATUS: ok, stale (the pattern is
#                                      gone), ambiguous (found more than once), no-file
#   mutate.pl apply MUTANTS TREE ID    puts the mutant in TREE's copy of its file
# Patterns are plain text, not regular expressions.
use strict;
use warnings;

sub read_mutants {
  my ($path) = @_;
  open my $in, '<', $path or die "$path: $!\n";
  my (@list, $m);
  while (my $line = <$in>) {
    chomp $line;
    next if $line =~ /^#/ || $line =~ /^\s*$/;
    if ($line =~ /^= (\S+) (\S+)\s*$/) {
      $m = { id => $1, file => $2, equivalent => '' };
      die "$path:$.: mutant $1 given twice\n" if grep { $_->{id} eq $1 } @list;
      push @list, $m;
    } elsif ($m && $line =~ /^- (.*)$/) {
      $m->{pattern} = $1;
    } elsif ($m && $line =~ /^\+ (.*)$/) {
      $m->{replacement} = $1;
    } elsif ($m && $line =~ /^~ equivalent: (.*)$/) {
      $m->{equivalent} = $1;
    } else {
      die "$path:$.: not a line of a mutant: $line\n";
    }
  }
  for my $x (@list) {
    die "$path: mutant $x->{id} needs a - pattern and a + replacement\n"
      unless defined $x->{pattern} && defined $x->{replacement};
    die "$path: mutant $x->{id} changes nothing\n" if $x->{pattern} eq $x->{replacement};
  }
  return @list;
}

sub slurp {
  my ($path) = @_;
  open my $in, '<', $path or return undef;
  local $/;
  return scalar <$in>;
}

sub count {
  my ($text, $pattern) = @_;
  my ($n, $at) = (0, 0);
  while ((my $i = index $text, $pattern, $at) >= 0) {
    $n++;
    $at = $i + 1;
  }
  return $n;
}

sub status {
  my ($tree, $m) = @_;
  my $text = slurp ("$tree/$m->{file}");
  return 'no-file' unless defined $text;
  my $n = count ($text, $m->{pattern});
  return $n == 1 ? 'ok' : $n == 0 ? 'stale' : 'ambiguous';
}

my ($verb, $file, $tree, $id) = @ARGV;
die "usage: mutate.pl list|check|apply MUTANTS [TREE [ID]]\n" unless $verb && $file;
my @mutants = read_mutants ($file);
if ($verb eq 'list') {
  print "$_->{id}\t$_->{file}\t$_->{equivalent}\n" for @mutants;
} elsif ($verb eq 'check' && $tree) {
  print "$_->{id}\t$_->{file}\t", status ($tree, $_), "\n" for @mutants;
} elsif ($verb eq 'apply' && $tree && $id) {
  my ($m) = grep { $_->{id} eq $id } @mutants;
  die "no mutant $id\n" unless $m;
  my $s = status ($tree, $m);
  die "$id: $m->{file}: the pattern is $s\n" unless $s eq 'ok';
  my $path = "$tree/$m->{file}";
  my $text = slurp ($path);
  my $i = index $text, $m->{pattern};
  substr ($text, $i, length $m->{pattern}) = $m->{replacement};
  open my $out, '>', $path or die "$path: $!\n";
  print $out $text;
  close $out or die "$path: $!\n";
} else {
  die "usage: mutate.pl list|check|apply MUTANTS [TREE [ID]]\n";
}
