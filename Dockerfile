FROM python:3.11-slim
WORKDIR /app
COPY pyproject.toml README.md ./
COPY syncadmin syncadmin
COPY connectors connectors
RUN pip install --no-cache-dir .
COPY . .
ENV PYTHONUNBUFFERED=1
