"""The HTTP API (``naltrexone-qa serve``) and the Slack Events endpoint, on one ASGI app served by uvicorn.

``app.create_app`` builds the FastAPI app around a :class:`service.Service` (the
pipeline, loaded in the background, answering on a thread pool); ``gate`` holds
what every request passes through (request id, access log, metrics, body limit,
API key, rate limit); ``run`` starts uvicorn with one or several workers.
"""
