my $dbh = DBI->connect("dbi:Pg:dbname=dwh;host=dwh.internal", "etl", "a21DSGYcq4QMrpIj") or die;
my $pass = $ENV{ETL_PASSWORD};
