postgres:
  version: 15
  users:
    replicator:
      ensure: present
      password: 'Saffron*1301pR5IL'
      replication: True
    app:
      password: {{ salt['vault'].read_secret('secret/pg/app', 'password') }}
  acls:
    - ['host', 'all', 'app', '10.0.0.0/8', 'scram-sha-256']
