param adminPassword string = 'A#*6lDA*o9B.s!Vo2k'
@secure()
param sqlPassword string
var storageKey = listKeys(storage.id, storage.apiVersion).keys[0].value
