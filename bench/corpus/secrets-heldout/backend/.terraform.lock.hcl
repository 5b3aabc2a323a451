provider "registry.terraform.io/hashicorp/aws" {
  version = "5.31.0"
  hashes = [
    "h1:1RcoVXY3/XhD8iCxg4cJ9Sjo5AcuOIBnezuqsJy9Byp=",
    "zh:f3ad012b0d44329e0a84d828451c7bba0c41765c48496484436b5028e19e74ff",
  ]
}
