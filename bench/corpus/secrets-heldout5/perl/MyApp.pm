package MyApp;
use Mojo::Base 'Mojolicious', -signatures;

sub startup ($self) {
  $self->secrets(['rf16JSO61OVFQ8q6y65Wh1weVu90OiHGRw0qAX7H']);
  my $config = $self->plugin('NotYAMLConfig');
  $self->helper(api_token => sub { $ENV{ACME_API_TOKEN} });
}
1;
