credentials += Credentials("Sonatype Nexus Repository Manager", "nexus.acme.io", "deploy", "9GGE1Hl84YxKPYQXxbi7")
credentials += Credentials(Path.userHome / ".sbt" / ".credentials")
