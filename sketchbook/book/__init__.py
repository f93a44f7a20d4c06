"""The book: sketch folders gathered (gather), their pictures made (pictures, roll), pages written (page, build)."""
